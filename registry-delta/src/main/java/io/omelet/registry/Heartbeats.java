package io.omelet.registry;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The heartbeats of live runs: one tiny file per run under {@code <root>/_heartbeats/}, rewritten
 * by the {@link ActiveRun} logging to it and removed when the run ends; the file's modification
 * time is the last beat, so one listing gives every run's last beat without opening a file. A file rather than a Delta table: a beat every few seconds from
 * every live run would otherwise be a commit each, forever in the log. A run with no file (one
 * created through {@code createRun}, whose client does not beat) is never called stale.
 */
final class Heartbeats {
  static final String DIR = "_heartbeats";

  private final Path dir;
  private final Configuration conf;

  Heartbeats(String root, Configuration conf) {
    this.dir = new Path(root, DIR);
    this.conf = conf;
  }

  private FileSystem fs() throws IOException {
    return dir.getFileSystem(conf);
  }

  /** Records that the run is alive now. */
  void beat(String runId, long now) {
    try (OutputStream out = fs().create(new Path(dir, runId), true)) {
      out.write(Long.toString(now).getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new RegistryException("cannot write the heartbeat of run " + runId + " under " + dir + ": " + e, e);
    }
  }

  /** Forgets the run's heartbeat (it ended, or was marked failed). */
  void clear(String runId) {
    try {
      fs().delete(new Path(dir, runId), false);
    } catch (IOException e) {
      throw new RegistryException("cannot remove the heartbeat of run " + runId + ": " + e, e);
    }
  }

  /** The run's last beat, or null if it has none. */
  Long last(String runId) {
    try {
      return fs().getFileStatus(new Path(dir, runId)).getModificationTime();
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new RegistryException("cannot read the heartbeat of run " + runId + ": " + e, e);
    }
  }

  /** Every run with a heartbeat, and its last beat. One listing. */
  Map<String, Long> all() {
    Map<String, Long> out = new HashMap<>();
    try {
      FileSystem fs = fs();
      if (!fs.exists(dir)) return out;
      for (FileStatus s : fs.listStatus(dir)) {
        String name = s.getPath().getName();
        if (s.isFile() && !name.startsWith(".")) out.put(name, s.getModificationTime()); // skips Hadoop's .crc files
      }
      return out;
    } catch (IOException e) {
      throw new RegistryException("cannot list the run heartbeats under " + dir + ": " + e, e);
    }
  }

  /** Runs whose last beat is older than {@code cutoff} (epoch ms). */
  Set<String> olderThan(long cutoff) {
    Set<String> out = new HashSet<>();
    all().forEach((run, beat) -> {
      if (beat < cutoff) out.add(run);
    });
    return out;
  }
}
