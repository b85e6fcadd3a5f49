package io.omelet.cli;

import io.omelet.commands.CommandContext;
import io.omelet.commands.OmeletCommands;
import io.omelet.registry.OmeletSpark;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;

/**
 * {@code omelet}: the command line. Runs one command of {@link OmeletCommands} on a local (or
 * {@code --master}) Spark session, renders its results for the terminal, keeps library logs in a
 * log file (the output folder's omelet.log for {@code run}; {@code -v} shows them instead) and
 * turns Ctrl-C and SIGTERM into a clean cancel: the running AutoML job stops and its run is marked KILLED.
 */
public final class OmeletCli {
  private OmeletCli() {}

  public static void main(String[] argv) {
    // The embedded H2O node and Spark keep non-daemon threads: leave explicitly, whatever happened.
    int code = OmeletCommands.FAILED;
    try {
      code = run(argv);
    } catch (Throwable t) {
      new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8)
          .println("omelet: " + t.getClass().getSimpleName() + ": " + t.getMessage());
    } finally {
      System.exit(code);
    }
  }

  static int run(String[] argv) {
    List<String> args = new ArrayList<>(List.of(argv));
    boolean verbose = args.remove("-v") | args.remove("--verbose");
    PrintStream terminal = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream terminalErr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    LogFile log = null;
    if (!verbose) {
      try {
        log = new LogFile(Paths.get(System.getProperty("java.io.tmpdir"), "omelet-" + System.getProperty("user.name"),
            "omelet-" + ProcessHandle.current().pid() + ".log"));
        PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
        // Before any library starts logging: their console appenders take these streams.
        System.setOut(logStream);
        System.setErr(logStream);
      } catch (IOException e) {
        terminalErr.println("omelet: cannot open a log file (" + e.getMessage() + "); logs go to the terminal");
      }
    }
    CommandContext[] ctxRef = new CommandContext[1];
    TerminalSink sink = new TerminalSink(terminal, terminalErr, System.console() != null,
        () -> ctxRef[0] == null ? CommandContext.Format.TABLE : ctxRef[0].format());
    CommandContext ctx = new CommandContext(OmeletCli::session, sink, Path.of(""));
    ctxRef[0] = ctx;
    LogFile logFile = log;
    if (logFile != null) ctx.onLogFolder(logFile::moveTo);
    installInterrupt(ctx, terminalErr);
    OmeletCommands.Outcome outcome = OmeletCommands.execute(ctx, args.toArray(new String[0]));
    sink.closeBars();
    if (!outcome.ok()) {
      terminalErr.println("omelet: " + outcome.error());
      if (outcome.unexpected() && logFile != null) {
        terminalErr.println("  (details in " + logFile.path() + ")");
      }
    }
    terminal.flush();
    terminalErr.flush();
    return outcome.exitCode();
  }

  private static SparkSession session(String master) {
    return OmeletSpark.builder("omelet", master != null ? master : System.getProperty("spark.master", "local[*]"))
        .getOrCreate();
  }

  /**
   * First Ctrl-C or SIGTERM: cancel the command and let it clean up (a run is marked KILLED, a
   * server writes what its inference log holds); a second: leave at once. SIGTERM is handled like
   * Ctrl-C because the JVM's own handling would run Spark's shutdown hooks under the command.
   */
  private static void installInterrupt(CommandContext ctx, PrintStream err) {
    AtomicInteger count = new AtomicInteger();
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
          if (count.incrementAndGet() == 1) {
            err.println();
            err.println("omelet: cancelling (" + (name.equals("INT") ? "Ctrl-C" : "SIGTERM") + " again to quit at once)...");
            Thread t = new Thread(ctx::cancel, "omelet-cancel");
            t.setDaemon(true);
            t.start();
          } else {
            Runtime.getRuntime().halt(OmeletCommands.CANCELLED);
          }
        });
      } catch (IllegalArgumentException e) {
        // no such signal on this platform (or -Xrs): it ends the JVM the usual way
      }
    }
  }
}
