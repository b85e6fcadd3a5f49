package io.omelet.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;

/** Files under the registry root, through Hadoop's FileSystem so HDFS and S3 roots work too. */
final class ArtifactStore {
  private final Configuration conf;

  ArtifactStore(Configuration conf) {
    this.conf = conf;
  }

  FileSystem fs(Path p) {
    try {
      return p.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach the file system of " + p, e);
    }
  }

  /** Copies a local file, or a folder with everything in it, to {@code dst}. */
  void upload(java.nio.file.Path local, Path dst) {
    if (!java.nio.file.Files.exists(local)) {
      throw new RegistryException("no such local file or folder: " + local);
    }
    FileSystem fs = fs(dst);
    try {
      fs.mkdirs(dst.getParent());
      fs.copyFromLocalFile(false, true, new Path(local.toAbsolutePath().toUri()), dst);
      // Hadoop's local file system leaves .crc side files; they are not artifacts.
      deleteCrcFiles(fs, dst);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + local + " to " + dst, e);
    }
  }

  /** Copies within the registry (a run artifact into model storage). */
  void copy(Path src, Path dst) {
    FileSystem fs = fs(src);
    try {
      if (!fs.exists(src)) throw new NotFoundException("no artifact at " + src);
      fs.mkdirs(dst.getParent());
      FileUtil.copy(fs, src, fs(dst), dst, false, true, conf);
      deleteCrcFiles(fs(dst), dst);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + src + " to " + dst, e);
    }
  }

  void download(Path src, java.nio.file.Path local) {
    FileSystem fs = fs(src);
    try {
      if (!fs.exists(src)) throw new NotFoundException("no artifact at " + src);
      java.nio.file.Files.createDirectories(local.toAbsolutePath().getParent());
      fs.copyToLocalFile(false, src, new Path(local.toAbsolutePath().toUri()), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot download " + src + " to " + local, e);
    }
  }

  void write(Path dst, byte[] bytes) {
    FileSystem fs = fs(dst);
    try (var out = fs.create(dst, true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dst, e);
    }
    deleteCrcFiles(fs, dst);
  }

  byte[] read(Path src) {
    FileSystem fs = fs(src);
    try (InputStream in = fs.open(src)) {
      return in.readAllBytes();
    } catch (java.io.FileNotFoundException e) {
      throw new NotFoundException("no artifact at " + src);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + src, e);
    }
  }

  /** One level of a folder, paths relative to {@code base}; a file lists itself. */
  List<ArtifactInfo> list(Path base, Path dir) {
    FileSystem fs = fs(dir);
    List<ArtifactInfo> out = new ArrayList<>();
    try {
      if (!fs.exists(dir)) return out;
      String basePath = fs.makeQualified(base).toUri().getPath();
      for (FileStatus s : fs.listStatus(dir)) {
        if (s.getPath().getName().endsWith(".crc")) continue;
        String full = fs.makeQualified(s.getPath()).toUri().getPath();
        String rel = full.startsWith(basePath) ? full.substring(basePath.length()) : s.getPath().getName();
        if (rel.startsWith("/")) rel = rel.substring(1);
        out.add(new ArtifactInfo(rel, s.isDirectory(), s.isDirectory() ? 0 : s.getLen()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    out.sort(Comparator.comparing(ArtifactInfo::path));
    return out;
  }

  /** Moves a file or folder; nothing to move is fine. */
  void rename(Path from, Path to) {
    FileSystem fs = fs(from);
    try {
      if (!fs.exists(from)) return;
      if (fs.exists(to)) throw new RegistryException("cannot move " + from + " to " + to + ": something is there");
      fs.mkdirs(to.getParent());
      if (!fs.rename(from, to)) throw new RegistryException("cannot move " + from + " to " + to);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + from + " to " + to, e);
    }
  }

  boolean exists(Path p) {
    try {
      return fs(p).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach " + p, e);
    }
  }

  void delete(Path p) {
    try {
      fs(p).delete(p, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + p, e);
    }
  }

  /** SHA-256 of a file's bytes, streamed: the content hash of a file dataset. */
  String sha256(Path file) {
    FileSystem fs = fs(file);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      FileStatus st = fs.getFileStatus(file);
      List<FileStatus> parts = new ArrayList<>();
      if (st.isDirectory()) {
        // A folder dataset (e.g. a parquet directory): hash its data files in name order.
        var it = fs.listFiles(file, true);
        while (it.hasNext()) {
          FileStatus f = it.next();
          String n = f.getPath().getName();
          if (!n.startsWith(".") && !n.startsWith("_")) parts.add(f);
        }
        parts.sort(Comparator.comparing(f -> f.getPath().toString()));
      } else {
        parts.add(st);
      }
      byte[] buf = new byte[1 << 16];
      for (FileStatus part : parts) {
        try (InputStream in = fs.open(part.getPath())) {
          int n;
          while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.io.FileNotFoundException e) {
      throw new NotFoundException("no such file: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteCrcFiles(FileSystem fs, Path p) {
    try {
      if (!fs.getScheme().equals("file") || !fs.exists(p)) return;
      if (fs.getFileStatus(p).isDirectory()) {
        for (FileStatus s : fs.listStatus(p)) deleteCrcFiles(fs, s.getPath());
      } else {
        Path crc = new Path(p.getParent(), "." + p.getName() + ".crc");
        if (fs.exists(crc)) fs.delete(crc, false);
      }
    } catch (IOException ignored) {
      // Side files only; leaving one behind is harmless.
    }
  }
}
