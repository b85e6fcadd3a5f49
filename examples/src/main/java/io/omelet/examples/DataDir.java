package io.omelet.examples;

import java.nio.file.Path;
import java.nio.file.Paths;

/** The repository's data/ folder: -Domelet.data.dir, else found by walking up from the working folder. */
public final class DataDir {
  private DataDir() {}

  public static Path get() {
    String p = System.getProperty("omelet.data.dir");
    if (p != null && Paths.get(p).resolve("lending_club.csv").toFile().exists()) return Paths.get(p);
    Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null && !dir.resolve("data/lending_club.csv").toFile().exists()) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("data/lending_club.csv not found: run from the repository or set -Domelet.data.dir");
    return dir.resolve("data");
  }
}
