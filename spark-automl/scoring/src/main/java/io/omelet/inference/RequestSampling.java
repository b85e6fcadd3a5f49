package io.omelet.inference;

import java.nio.charset.StandardCharsets;

/**
 * Which requests the inference log keeps when it samples: a request is kept when a hash of its id
 * falls below the fraction. Decided by the id rather than a random draw so that the same request
 * is kept or not on every server and every run (a client resending an id gets the same answer),
 * and every row of a request is kept or dropped together.
 */
final class RequestSampling {
  private final double fraction;

  RequestSampling(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("sample fraction must be in (0, 1], got " + fraction);
    }
    this.fraction = fraction;
  }

  double fraction() {
    return fraction;
  }

  boolean keeps(String requestId) {
    return fraction >= 1 || unitHash(requestId) < fraction;
  }

  /**
   * The id's position in [0, 1): FNV-1a over its UTF-8 bytes, then a 64-bit finalizer (FNV alone
   * leaves ids that differ in their last characters close together), top 53 bits as a double.
   */
  static double unitHash(String id) {
    long h = 0xcbf29ce484222325L;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }
}
