package io.omelet.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where Spark's, H2O's and every library's console output goes while a command runs: a file that
 * starts in the temp folder and moves into the command's output folder once it has one, so a
 * run's log sits next to its report. The terminal keeps only Omelet's own output.
 */
final class LogFile extends OutputStream {
  private Path path;
  private OutputStream out;

  LogFile(Path initial) throws IOException {
    Files.createDirectories(initial.getParent());
    path = initial;
    out = Files.newOutputStream(initial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  synchronized Path path() {
    return path;
  }

  /** Moves the log (what it holds so far, then what follows) to {@code dir/omelet.log}. */
  synchronized void moveTo(Path dir) {
    Path target = dir.resolve("omelet.log");
    if (target.equals(path)) return;
    try {
      out.close();
      Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
      path = target;
      out = Files.newOutputStream(target, StandardOpenOption.APPEND);
    } catch (IOException e) {
      try {
        out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException ignored) {
        out = OutputStream.nullOutputStream();
      }
    }
  }

  @Override
  public synchronized void write(int b) throws IOException {
    out.write(b);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  @Override
  public synchronized void flush() throws IOException {
    out.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
