package io.omelet.automl;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A leaderboard model's MOJO zip: in memory after a fit, or a file of a saved {@link AutoMLModel}
 * read on first use (a saved leaderboard of twenty models costs nothing until one is scored). A file
 * is checked against the SHA-256 recorded when it was saved, so a replaced or truncated zip fails
 * with its path instead of scoring with another model.
 */
public final class MojoZip implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String location;
  private final String sha256;
  private final long size;
  private volatile byte[] bytes;

  private MojoZip(byte[] bytes, String location, String sha256, long size) {
    this.bytes = bytes;
    this.location = location;
    this.sha256 = sha256;
    this.size = size;
  }

  /** The zip held in memory (null when there is none). */
  public static MojoZip of(byte[] bytes) {
    return bytes == null ? null : new MojoZip(bytes, null, sha256(bytes), bytes.length);
  }

  /** A zip saved at {@code location} (a Hadoop path), read when first asked for. */
  static MojoZip at(String location, String sha256, long size) {
    return new MojoZip(null, location, sha256, size);
  }

  /** The zip's bytes (read from its file the first time, for a saved model). */
  public byte[] bytes() {
    byte[] b = bytes;
    if (b == null) {
      synchronized (this) {
        if (bytes == null) bytes = read();
        b = bytes;
      }
    }
    return b;
  }

  /** SHA-256 of the bytes, hex. */
  public String sha256() {
    return sha256;
  }

  public long size() {
    return size;
  }

  /** Whether the bytes are in memory yet. */
  public boolean isLoaded() {
    return bytes != null;
  }

  private byte[] read() {
    Path p = new Path(location);
    try (InputStream in = p.getFileSystem(hadoopConf()).open(p)) {
      byte[] b = in.readAllBytes();
      String actual = sha256(b);
      if (!actual.equals(sha256)) {
        throw new IllegalStateException("the MOJO " + location + " is not the one saved with this model (SHA-256 "
            + actual + ", " + b.length + " bytes; expected " + sha256 + ", " + size + " bytes)");
      }
      return b;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the MOJO " + location + " of a saved AutoML model: " + e, e);
    }
  }

  private static Configuration hadoopConf() {
    return SparkSession.getActiveSession().isDefined()
        ? SparkSession.getActiveSession().get().sparkContext().hadoopConfiguration()
        : new Configuration();
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
