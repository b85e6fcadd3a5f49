package io.omelet.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * The files of runs and of registered model versions: every read and write goes through a path
 * checked to stay inside the run's artifact folder (or the version's stored copy).
 */
final class RunArtifacts {
  private final ArtifactStore files;
  private final RunStore runs;
  private final ModelStore models;

  RunArtifacts(ArtifactStore files, RunStore runs, ModelStore models) {
    this.files = files;
    this.runs = runs;
    this.models = models;
  }

  void upload(String runId, java.nio.file.Path local, String artifactDir) {
    RunInfo info = writable(runId);
    files.upload(local, new Path(artifactPath(info, artifactDir), local.getFileName().toString()));
  }

  void uploadContents(String runId, java.nio.file.Path localDir, String artifactDir) {
    RunInfo info = writable(runId);
    try (var entries = Files.list(localDir)) {
      for (java.nio.file.Path p : entries.toList()) {
        files.upload(p, new Path(artifactPath(info, artifactDir), p.getFileName().toString()));
      }
    } catch (IOException e) {
      throw new RegistryException("cannot list " + localDir, e);
    }
  }

  void write(String runId, byte[] bytes, String artifactFile) {
    write(writable(runId), bytes, artifactFile);
  }

  /** For a batch, whose runs are not readable until it commits. */
  void write(RunInfo info, byte[] bytes, String artifactFile) {
    files.write(artifactPath(info, artifactFile), bytes);
  }

  List<ArtifactInfo> list(String runId, String path) {
    RunInfo info = runs.getRunInfo(runId);
    return files.list(new Path(info.artifactUri()), artifactPath(info, path));
  }

  java.nio.file.Path download(String runId, String path, java.nio.file.Path localDst) {
    files.download(artifactPath(runs.getRunInfo(runId), path), localDst);
    return localDst;
  }

  byte[] read(String runId, String path) {
    return files.read(artifactPath(runs.getRunInfo(runId), path));
  }

  List<ArtifactInfo> listVersionFiles(String name, int version, String path) {
    Path base = new Path(models.version(name, version).storageLocation());
    return files.list(base, below(base, path, "path"));
  }

  byte[] readVersionFile(String name, int version, String path) {
    Path base = new Path(models.version(name, version).storageLocation());
    return files.read(below(base, path, "path"));
  }

  private RunInfo writable(String runId) {
    RunInfo info = runs.getRunInfo(runId);
    runs.requireActive(info);
    return info;
  }

  /** The run's artifact folder, or a path below it; never anything outside it. */
  private static Path artifactPath(RunInfo info, String relative) {
    return below(new Path(info.artifactUri()), relative, "artifact path");
  }

  private static Path below(Path base, String relative, String what) {
    String rel = Names.requireRelativePath(relative, what);
    return rel.isEmpty() ? base : Names.requireUnder(base, new Path(base, rel), what);
  }
}
