package io.omelet.commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The local folder a command writes its report into, checked before any work starts. */
final class OutputFolder {
  private OutputFolder() {}

  static Path create(CommandContext ctx, String dir) {
    Path p = Paths.get(ctx.resolvePath(dir));
    try {
      if (Files.exists(p) && !Files.isDirectory(p)) throw new CommandException("output folder " + p + " is a file");
      Files.createDirectories(p);
      Path probe = Files.createTempFile(p, ".omelet-write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      throw new CommandException("output folder " + p + " cannot be written: " + e.getMessage(), e);
    }
    return p;
  }
}
