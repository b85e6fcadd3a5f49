package io.omelet.mlflow;

import static io.omelet.mlflow.MlflowApi.ok;
import static io.omelet.mlflow.MlflowRequest.invalid;

import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.Names;
import io.omelet.registry.NotFoundException;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RunInfo;
import io.omelet.http.HttpError;
import io.omelet.http.Request;
import io.omelet.http.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MLflow's artifact proxy ({@code /api/2.0/mlflow-artifacts/artifacts/...}) on the registry's
 * artifact folders. Paths are those of the {@code mlflow-artifacts:} URIs this server hands out:
 * {@code <experiment_id>/<run_id>/artifacts/<path>} for a run (upload, download, list), and
 * {@code models/<name>/<version>/<path>} for a registered version's stored copy (download, list).
 * Every path stays inside its run's or version's folder: {@code ..} and absolute paths are 400.
 */
final class MlflowArtifacts {
  private static final String SCHEME = "mlflow-artifacts:";

  /** A parsed proxy path: a run's artifact (runId set) or a model version's file (model set). */
  record RunPath(String experimentId, String runId, String model, Integer version, String path) {}

  private final MlflowApi api;
  private final OmeletRegistry registry;

  MlflowArtifacts(MlflowApi api) {
    this.api = api;
    this.registry = api.registry;
  }

  void mount() {
    api.artifacts("GET", "/artifacts", this::list, false, MlflowApi.MAX_JSON_BYTES);
    api.artifacts("GET", "/artifacts/{path*}", this::download, false, MlflowApi.MAX_JSON_BYTES);
    api.artifacts("PUT", "/artifacts/{path*}", this::upload, true, MlflowApi.MAX_ARTIFACT_BYTES);
  }

  static String versionUri(ModelVersion v) {
    return SCHEME + "/models/" + v.name() + "/" + v.version();
  }

  static String stripScheme(String uri) {
    String s = uri.substring(SCHEME.length());
    while (s.startsWith("/")) s = s.substring(1);
    return s;
  }

  /** Splits a proxy path; null when it names nothing this proxy serves. */
  static RunPath parse(String path) {
    String[] parts = path.split("/", -1);
    if (parts.length >= 3 && parts[0].equals("models")) {
      Integer version;
      try {
        version = Integer.valueOf(parts[2]);
      } catch (NumberFormatException e) {
        return null;
      }
      return new RunPath(null, null, parts[1], version, String.join("/", List.of(parts).subList(3, parts.length)));
    }
    if (parts.length >= 3 && parts[2].equals("artifacts") && !parts[0].isEmpty() && !parts[1].isEmpty()) {
      return new RunPath(parts[0], parts[1], null, null, String.join("/", List.of(parts).subList(3, parts.length)));
    }
    return null;
  }

  /** The proxy path of a request, checked: no absolute path, no '..', inside a run's or a version's folder. */
  private RunPath resolve(String raw) {
    if (raw == null || raw.isEmpty()) throw invalid("give a path: <experiment_id>/<run_id>/artifacts/<path>");
    // the registry's own rule for paths: relative, no '..', no empty segment, no ':' or '\\'
    RunPath p = parse(Names.requireRelativePath(raw, "artifact path"));
    if (p == null) {
      throw invalid("artifact path '" + raw + "' is not inside a run's artifacts (<experiment_id>/<run_id>/artifacts/...)"
          + " or a model version (models/<name>/<version>/...)");
    }
    if (p.runId() != null) {
      RunInfo info = registry.getRunInfo(p.runId());
      if (!info.experimentId().equals(p.experimentId())) {
        throw HttpError.notFound("run " + p.runId() + " is not in experiment " + p.experimentId());
      }
    }
    return p;
  }

  private List<ArtifactInfo> entries(RunPath p) {
    return p.runId() != null ? registry.listArtifacts(p.runId(), p.path())
        : registry.listModelVersionFiles(p.model(), p.version(), p.path());
  }

  private Response list(Request r) {
    String path = r.query("path");
    List<Object> files = new ArrayList<>();
    if (path != null && !path.isEmpty()) {
      RunPath p = resolve(path);
      for (ArtifactInfo a : entries(p)) {
        String name = a.path().substring(a.path().lastIndexOf('/') + 1);
        if (!name.isEmpty() && !(a.path().equals(p.path()) && !a.isDir())) files.add(MlflowJson.fileInfo(a, name));
      }
    }
    return ok(Map.of("files", files));
  }

  private Response download(Request r) {
    RunPath p = resolve(r.path("path"));
    ArtifactInfo self = entries(p).stream().filter(a -> a.path().equals(p.path()) || p.path().isEmpty() && !a.isDir())
        .findFirst().orElse(null);
    if (self == null || self.isDir()) {
      if (self == null && entries(p).isEmpty()) throw new NotFoundException("no artifact at " + r.path("path"));
      throw invalid("'" + r.path("path") + "' is a folder: list it with GET /api/2.0/mlflow-artifacts/artifacts?path=...");
    }
    byte[] bytes = p.runId() != null ? registry.readArtifact(p.runId(), p.path())
        : registry.readModelVersionFile(p.model(), p.version(), p.path());
    return new Response(200, "application/octet-stream", bytes, Map.of());
  }

  private Response upload(Request r) {
    RunPath p = resolve(r.path("path"));
    if (p.runId() == null) throw new HttpError(403, MlflowErrors.PERMISSION_DENIED, "a model version's files cannot be changed");
    if (p.path().isEmpty() || p.path().endsWith("/")) throw invalid("give the file's path inside the run's artifacts");
    registry.logBytes(p.runId(), r.body(), p.path());
    return MlflowApi.empty();
  }
}
