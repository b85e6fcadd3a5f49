package io.omelet.scoring;

import io.omelet.inference.InferenceLogConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link ScoringServer} serves one model URI: where it listens (loopback unless told
 * otherwise), how often it re-resolves the URI to follow a moving alias, the largest request body
 * it reads, how many worker threads score, and how served rows go to the model's inference table
 * ({@code inferenceLog}; null: not logged).
 */
public record ServerConfig(String modelUri, String host, int port, Duration reloadInterval,
                           long maxBodyBytes, int threads, InferenceLogConfig inferenceLog) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);
  public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;
  /** The largest body limit one may set: a body is held in memory while it is parsed. */
  public static final long MAX_BODY_BYTES_LIMIT = 256L << 20;
  public static final int DEFAULT_THREADS = 4;

  public ServerConfig {
    if (modelUri == null || modelUri.isBlank()) {
      throw new IllegalArgumentException("a model URI is needed: name@alias, name/version or runs:/<run_id>/<path>");
    }
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535 (0: any free port), got " + port);
    Objects.requireNonNull(reloadInterval, "reloadInterval");
    if (reloadInterval.isNegative()) {
      throw new IllegalArgumentException("reload interval must be >= 0 (0 disables reloading), got " + reloadInterval);
    }
    if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_BYTES_LIMIT) {
      throw new IllegalArgumentException("max body bytes must be between 1 and " + MAX_BODY_BYTES_LIMIT
          + " (256 MiB), got " + maxBodyBytes);
    }
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
  }

  /**
   * Serves {@code modelUri} on 127.0.0.1:8080, reloading every 10 s, bodies up to 1 MiB, 4 threads,
   * no inference log ({@link #withInferenceLog} turns it on; {@code omelet serve} does by default).
   */
  public static ServerConfig of(String modelUri) {
    return new ServerConfig(modelUri, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_RELOAD_INTERVAL,
        DEFAULT_MAX_BODY_BYTES, DEFAULT_THREADS, null);
  }

  /** Logs served rows to the model's inference table as {@code log} says; null turns logging off. */
  public ServerConfig withInferenceLog(InferenceLogConfig log) {
    return new ServerConfig(modelUri, host, port, reloadInterval, maxBodyBytes, threads, log);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(modelUri, h, port, reloadInterval, maxBodyBytes, threads, inferenceLog);
  }

  /** 0 picks a free port; read it back with {@link ScoringServer#port()}. */
  public ServerConfig withPort(int p) {
    return new ServerConfig(modelUri, host, p, reloadInterval, maxBodyBytes, threads, inferenceLog);
  }

  /** {@link Duration#ZERO} disables the background check; {@link ScoringServer#reload()} still works. */
  public ServerConfig withReloadInterval(Duration d) {
    return new ServerConfig(modelUri, host, port, d, maxBodyBytes, threads, inferenceLog);
  }

  public ServerConfig withMaxBodyBytes(long n) {
    return new ServerConfig(modelUri, host, port, reloadInterval, n, threads, inferenceLog);
  }

  public ServerConfig withThreads(int n) {
    return new ServerConfig(modelUri, host, port, reloadInterval, maxBodyBytes, n, inferenceLog);
  }
}
