package io.omelet.commands;

import io.omelet.registry.OmeletRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;

/**
 * What a command runs against, given by its front end: a Spark session (made on first use, so
 * {@code --help} starts nothing), the registry, where results go, and cancellation. The CLI makes
 * a local or {@code --master} session; the Zeppelin interpreter hands over the notebook's.
 */
public final class CommandContext {
  /** The output formats a listing command may be asked for. */
  public enum Format { TABLE, CSV, JSON }

  private final Function<String, SparkSession> sessions;
  private final CommandSink sink;
  private final Path workDir;
  private final List<Runnable> cancelHooks = new CopyOnWriteArrayList<>();
  private volatile boolean cancelled;
  private SparkSession spark;
  private String defaultRegistryRoot;
  private int maxRows = Integer.MAX_VALUE;
  private volatile Format format = Format.TABLE;
  private volatile java.util.function.Consumer<Path> logFolder = dir -> {};

  /**
   * @param sessions makes the session from a master URL (null: the front end's default); called
   *     at most once
   * @param sink receives results and progress
   * @param workDir what relative paths are relative to
   */
  public CommandContext(Function<String, SparkSession> sessions, CommandSink sink, Path workDir) {
    this.sessions = Objects.requireNonNull(sessions);
    this.sink = Objects.requireNonNull(sink);
    this.workDir = workDir.toAbsolutePath();
  }

  /** A context on a session that already exists (a notebook's, a test's). */
  public static CommandContext of(SparkSession spark, CommandSink sink, Path workDir) {
    return new CommandContext(master -> spark, sink, workDir);
  }

  /** The session; {@code master} is used only by the first call that makes it (null: default). */
  public synchronized SparkSession spark(String master) {
    if (spark == null) spark = sessions.apply(master);
    return spark;
  }

  public SparkSession spark() {
    return spark(null);
  }

  /** True once a session was made (front ends stop only what they started). */
  public synchronized boolean hasSpark() {
    return spark != null;
  }

  /**
   * Opens the registry at {@code root} (null: the context's default, else the session's
   * {@code spark.omelet.registry.root}, else ./omelet-registry), failing with a one-line message.
   */
  public OmeletRegistry registry(String root) {
    String r = root != null ? root : defaultRegistryRoot;
    SparkSession s = spark();
    try {
      return r == null ? OmeletRegistry.open(s) : OmeletRegistry.open(s, resolvePath(r));
    } catch (RuntimeException e) {
      throw new CommandException("cannot open the registry at " + (r == null
          ? s.conf().get("spark.omelet.registry.root", "./omelet-registry") : r) + ": " + Errors.oneLine(e), e);
    }
  }

  /** A registry root used when a command gives none (e.g. the interpreter's property). */
  public CommandContext defaultRegistryRoot(String root) {
    this.defaultRegistryRoot = root == null || root.isBlank() ? null : root;
    return this;
  }

  public CommandSink sink() {
    return sink;
  }

  public Path workDir() {
    return workDir;
  }

  /** A local path as given (absolute), else against the working directory; URIs stay as they are. */
  public String resolvePath(String path) {
    return resolve(workDir, path);
  }

  /** {@code path} against {@code workDir} unless it is absolute or a URI (s3a://, file:/, ...). */
  public static String resolve(Path workDir, String path) {
    return isUri(path) ? path : workDir.resolve(path).normalize().toString();
  }

  /** True for {@code scheme:/...} locations, which are not resolved against a folder. */
  public static boolean isUri(String path) {
    return path.matches("^[A-Za-z][A-Za-z0-9+.-]*:/.*");
  }

  /** Most rows a table result shows (the interpreter's {@code omelet.maxResult}). */
  public int maxRows() {
    return maxRows;
  }

  public CommandContext maxRows(int n) {
    this.maxRows = n;
    return this;
  }

  public Format format() {
    return format;
  }

  public void format(Format f) {
    this.format = f;
  }

  /** Front ends that keep a log file move it into a command's output folder when it has one. */
  public CommandContext onLogFolder(java.util.function.Consumer<Path> hook) {
    this.logFolder = hook;
    return this;
  }

  /** Called by a command once its output folder exists. */
  public void logFolder(Path dir) {
    logFolder.accept(dir);
  }

  // ------------------------------------------------------------ cancellation

  /** Runs {@code hook} when the command is cancelled; the returned handle removes it. */
  public AutoCloseable onCancel(Runnable hook) {
    cancelHooks.add(hook);
    if (cancelled) hook.run();
    return () -> cancelHooks.remove(hook);
  }

  /** Asks the running command to stop (Ctrl-C, a notebook's cancel button). */
  public void cancel() {
    cancelled = true;
    for (Runnable h : cancelHooks) {
      try {
        h.run();
      } catch (RuntimeException ignored) {
        // one failing hook must not keep the others from stopping their work
      }
    }
  }

  public boolean cancelled() {
    return cancelled;
  }

  /** Fails with {@link CommandCancelledException} when the command was cancelled. */
  public void checkCancelled() {
    if (cancelled) throw new CommandCancelledException();
  }
}
