package io.omelet.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium for the browser tests ({@code -Domelet.chromium} names another binary).
 * {@code .ci/run} installs it; without it a browser test is skipped on a developer's machine and
 * fails under CI ({@code CI=true}), where a skip would hide it.
 */
public final class Chromium {
  private Chromium() {}

  /** The binary, or the test stops here: failed under CI, skipped elsewhere. */
  public static Path required() {
    Path binary = Path.of(System.getProperty("omelet.chromium", "/usr/bin/chromium"));
    String missing = binary + " is missing: install Debian's chromium package (apt-get install chromium)";
    if ("true".equals(System.getenv("CI"))) assertTrue(Files.isExecutable(binary), missing);
    Assumptions.assumeTrue(Files.isExecutable(binary), missing);
    return binary;
  }
}
