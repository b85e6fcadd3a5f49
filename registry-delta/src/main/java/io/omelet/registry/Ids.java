package io.omelet.registry;

import java.security.SecureRandom;

/**
 * Run and experiment ids: 32 hex characters, like MLflow's, but time-ordered (48 bits of epoch
 * milliseconds, then 80 random bits). Rows appended over time then fall into files with narrow
 * id ranges, so Delta's min/max statistics skip most files when one run is fetched.
 */
final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  static String newId() {
    long millis = System.currentTimeMillis();
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    char[] out = new char[32];
    for (int i = 0; i < 12; i++) {
      out[i] = HEX[(int) ((millis >>> (44 - 4 * i)) & 0xF)];
    }
    for (int i = 0; i < 10; i++) {
      out[12 + 2 * i] = HEX[(random[i] >>> 4) & 0xF];
      out[13 + 2 * i] = HEX[random[i] & 0xF];
    }
    return new String(out);
  }
}
