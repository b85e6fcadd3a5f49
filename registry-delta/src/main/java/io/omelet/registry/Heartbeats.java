package io.omelet.registry;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
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
 * The heartbeats of live runs: one tiny file per run under {@code <root>/_heartbeats/}, holding
 * the epoch milliseconds of its last beat, rewritten by the {@link ActiveRun} logging to it and
 * removed when the run ends. A file rather than a Delta table: a beat every few seconds from
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
      return read(fs(), new Path(dir, runId));
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
        if (!s.isFile() || name.startsWith(".")) continue; // e.g. Hadoop's .crc files
        try {
          out.put(name, read(fs, s.getPath()));
        } catch (FileNotFoundException e) {
          // the run ended between the listing and the read
        }
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

  private static long read(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        // a beat caught mid-write: its file time says when
        return fs.getFileStatus(p).getModificationTime();
      }
    }
  }
}
