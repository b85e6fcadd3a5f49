package io.omelet.inference;

import java.time.Duration;

/**
 * How the inference log buffers and writes: the queue's capacity (rows held in memory; more are
 * dropped and counted, never waited for), how often it flushes (every {@code flushInterval}, or
 * as soon as {@code flushRows} rows wait) and the fraction of requests it keeps.
 */
public record InferenceLogConfig(int capacity, Duration flushInterval, int flushRows, double sampleFraction) {
  public static final int DEFAULT_CAPACITY = 100_000;
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_FLUSH_ROWS = 10_000;

  public InferenceLogConfig {
    if (capacity < 1) throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
    if (flushInterval == null || flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flush interval must be positive, got " + flushInterval);
    }
    if (flushRows < 1) throw new IllegalArgumentException("flush rows must be at least 1, got " + flushRows);
    if (!(sampleFraction > 0 && sampleFraction <= 1)) {
      throw new IllegalArgumentException("sample fraction must be in (0, 1], got " + sampleFraction);
    }
  }

  /** 100,000 rows of queue, a flush every second or every 10,000 rows, every request kept. */
  public static InferenceLogConfig defaults() {
    return new InferenceLogConfig(DEFAULT_CAPACITY, DEFAULT_FLUSH_INTERVAL, DEFAULT_FLUSH_ROWS, 1.0);
  }

  public InferenceLogConfig withCapacity(int rows) {
    return new InferenceLogConfig(rows, flushInterval, flushRows, sampleFraction);
  }

  public InferenceLogConfig withFlushInterval(Duration interval) {
    return new InferenceLogConfig(capacity, interval, flushRows, sampleFraction);
  }

  public InferenceLogConfig withFlushRows(int rows) {
    return new InferenceLogConfig(capacity, flushInterval, rows, sampleFraction);
  }

  public InferenceLogConfig withSampleFraction(double fraction) {
    return new InferenceLogConfig(capacity, flushInterval, flushRows, fraction);
  }
}
