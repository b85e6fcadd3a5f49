package io.omelet.zeppelin;

import io.omelet.commands.CommandContext;
import io.omelet.commands.OmeletCommands;
import io.omelet.registry.OmeletSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import org.apache.zeppelin.interpreter.Interpreter;
import org.apache.zeppelin.interpreter.InterpreterContext;
import org.apache.zeppelin.interpreter.InterpreterResult;
import org.apache.zeppelin.interpreter.thrift.InterpreterCompletion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code %omelet}: the omelet command language in a notebook. A paragraph holds one or more
 * commands, written as on the command line ({@code run --table customers --target Exited},
 * {@code runs search --filter "metrics.holdout_auc > 0.8"}); results come back as
 * {@code %table}, {@code %html} and text while the commands run. One Spark session per
 * interpreter process: the one already running in the JVM (Omelet's jar in Zeppelin's Spark
 * interpreter), else one built from the {@code spark.*} properties on first use.
 *
 * <p>A Spark session that cannot run tasks must not leave a paragraph spinning: when the session
 * opens, a trivial job has to finish within {@code omelet.sparkCheckTimeoutSecs} (default 120), and
 * a paragraph whose Spark stages stop moving for {@code omelet.stallTimeoutSecs} (default 900; 0
 * turns the watch off), or whose task thread dies, fails with the cause ({@link SparkJobWatchdog}).
 *
 * <p>Properties: {@code spark.master} and any {@code spark.*}; {@code omelet.registry.root};
 * {@code omelet.maxResult} (rows shown per table, default 1000); {@code omelet.workDir};
 * {@code omelet.h2o.*} (passed to the embedded H2O node as {@code spark.omelet.h2o.*}); and the two
 * limits above.
 */
public class OmeletInterpreter extends Interpreter {
  private static final Logger LOG = LoggerFactory.getLogger(OmeletInterpreter.class);
  static final int DEFAULT_MAX_RESULT = 1000;
  static final int DEFAULT_SPARK_CHECK_SECS = 120;
  static final int DEFAULT_STALL_SECS = 900;

  /** Paragraphs running now, by paragraph id, for getProgress and cancel from other threads. */
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private volatile SparkSession spark;
  private boolean ownSession;

  /**
   * A running paragraph: its commands' context, whose Spark session is put in the paragraph's job
   * group and watched for stalls when a command first asks for it. {@code stall} holds why the
   * watchdog stopped the paragraph, if it did.
   */
  private final class Running {
    final CommandContext ctx;
    final ZeppelinSink sink;
    final String jobGroup;
    volatile String stall;
    private AutoCloseable watch;

    Running(ZeppelinSink sink, String paragraphId) {
      this.sink = sink;
      this.jobGroup = "zeppelin-omelet-" + paragraphId;
      this.ctx = new CommandContext(master -> sessionFor(paragraphId), sink, workDir())
          .defaultRegistryRoot(getProperty("omelet.registry.root", "")).maxRows(maxResult());
    }

    private SparkSession sessionFor(String paragraphId) {
      SparkSession s = session();
      // the paragraph's own Spark jobs, cancelled with it
      s.sparkContext().setJobGroup(jobGroup, "%omelet paragraph " + paragraphId, true);
      watch(s, intProperty("omelet.stallTimeoutSecs", DEFAULT_STALL_SECS, true));
      return s;
    }

    /** Starts the stall watch once the paragraph has a Spark session. */
    private synchronized void watch(SparkSession s, int limitSecs) {
      if (watch != null || limitSecs <= 0) return;
      watch = SparkJobWatchdog.watch(s.sparkContext(), java.time.Duration.ofSeconds(limitSecs), reason -> {
        stall = reason;
        LOG.warn("stopping paragraph {}: {}", jobGroup, reason);
        ctx.cancel();
        s.sparkContext().cancelJobGroup(jobGroup);
      });
    }

    synchronized void stopWatch() {
      try {
        if (watch != null) watch.close();
      } catch (Exception ignored) {
        // shutting a timer down does not fail
      }
    }
  }

  public OmeletInterpreter(Properties properties) {
    super(properties);
  }

  @Override
  public void open() {
    // Spark starts with the first command that needs it, so --help and completion stay instant.
  }

  @Override
  public void close() {
    for (Running r : running.values()) r.ctx.cancel();
    SparkSession s = spark;
    if (s != null && ownSession) {
      try {
        s.stop();
      } catch (RuntimeException e) {
        LOG.warn("stopping the Spark session failed", e);
      }
    }
    spark = null;
  }

  @Override
  public InterpreterResult interpret(String text, InterpreterContext context) {
    List<ParagraphParser.CommandLine> commands;
    try {
      commands = ParagraphParser.parse(text);
    } catch (ParagraphParser.ParseException e) {
      return new InterpreterResult(InterpreterResult.Code.ERROR, InterpreterResult.Type.TEXT, "omelet: " + e.getMessage());
    }
    if (commands.isEmpty()) return new InterpreterResult(InterpreterResult.Code.SUCCESS);
    String paragraphId = context.getParagraphId();
    ZeppelinSink sink = new ZeppelinSink(context.out, commands.size());
    Running r = new Running(sink, paragraphId);
    CommandContext ctx = r.ctx;
    running.put(paragraphId, r);
    try {
      for (int i = 0; i < commands.size(); i++) {
        ParagraphParser.CommandLine c = commands.get(i);
        sink.startCommand(i);
        OmeletCommands.Outcome o = OmeletCommands.execute(ctx, c.args().toArray(new String[0]));
        if (!o.ok()) {
          if (r.stall != null) {
            sink.error(r.stall);
            return finalResult(InterpreterResult.Code.ERROR, sink, context);
          }
          String where = commands.size() > 1 ? "line " + c.line() + " (" + c.args().get(0) + "): " : "";
          sink.error(where + o.error());
          return finalResult(InterpreterResult.Code.ERROR, sink, context);
        }
      }
      return finalResult(InterpreterResult.Code.SUCCESS, sink, context);
    } finally {
      r.stopWatch();
      running.remove(paragraphId);
      if (ctx.hasSpark()) ctx.spark().sparkContext().clearJobGroup();
    }
  }

  /**
   * The paragraph's result: every message, whole and in order. What was streamed while it ran is
   * cleared, since Zeppelin puts streamed output first and cuts it at its output limit (100 KB by
   * default, less than a run report with its plots).
   */
  private static InterpreterResult finalResult(InterpreterResult.Code code, ZeppelinSink sink, InterpreterContext context) {
    try {
      context.out.clear();
    } catch (RuntimeException e) {
      LOG.debug("clearing the streamed output failed", e);
    }
    return new InterpreterResult(code, new java.util.ArrayList<>(sink.messages()));
  }

  @Override
  public void cancel(InterpreterContext context) {
    Running r = running.get(context.getParagraphId());
    if (r == null) return;
    r.ctx.cancel();
    if (r.ctx.hasSpark()) r.ctx.spark().sparkContext().cancelJobGroup(r.jobGroup);
  }

  @Override
  public FormType getFormType() {
    // NONE: ${...} in a filter or a path is text, not a dynamic form
    return FormType.NONE;
  }

  @Override
  public int getProgress(InterpreterContext context) {
    Running r = running.get(context.getParagraphId());
    return r == null ? 0 : r.sink.progress();
  }

  @Override
  public List<InterpreterCompletion> completion(String buf, int cursor, InterpreterContext context) {
    String root = getProperty("omelet.registry.root", "");
    return new OmeletCompleter(() -> spark, root.isBlank() ? null : root, workDir()).complete(buf, cursor);
  }

  /** The JVM's running session, else one built from the properties. */
  synchronized SparkSession session() {
    if (spark != null) return spark;
    scala.Option<SparkSession> existing = SparkSession.getDefaultSession();
    SparkSession s;
    if (existing.isDefined()) {
      s = existing.get();
      ownSession = false;
      LOG.info("using the Spark session already running in this process");
    } else {
      SparkSession.Builder b = OmeletSpark.builder(getProperty("spark.app.name", "zeppelin-omelet"),
          getProperty("spark.master", "local[*]"));
      for (String k : getProperties().stringPropertyNames()) {
        String v = getProperty(k);
        if (v == null || v.isBlank()) continue;
        if (k.startsWith("spark.") && !k.equals("spark.master") && !k.equals("spark.app.name")) b.config(k, v);
        if (k.startsWith("omelet.h2o.")) b.config("spark." + k, v);
      }
      String root = getProperty("omelet.registry.root", "");
      if (!root.isBlank()) b.config(io.omelet.registry.OmeletRegistry.ROOT_CONF, resolve(root));
      s = b.getOrCreate();
      ownSession = true;
    }
    if (!ownSession) {
      String root = getProperty("omelet.registry.root", "");
      // omelet_predict in SQL resolves model URIs in the same registry as the commands
      if (!root.isBlank() && !s.conf().contains(io.omelet.registry.OmeletRegistry.ROOT_CONF)) {
        s.conf().set(io.omelet.registry.OmeletRegistry.ROOT_CONF, resolve(root));
      }
      for (String k : getProperties().stringPropertyNames()) {
        String v = getProperty(k);
        if (k.startsWith("omelet.h2o.") && v != null && !v.isBlank()) s.conf().set("spark." + k, v);
      }
    }
    String problem = SparkJobWatchdog.checkSparkRuns(s.sparkContext(),
        java.time.Duration.ofSeconds(intProperty("omelet.sparkCheckTimeoutSecs", DEFAULT_SPARK_CHECK_SECS, false)),
        SparkJobWatchdog::trivialJob);
    if (problem != null) {
      if (ownSession) stopInBackground(s);
      throw new io.omelet.commands.CommandException(problem);
    }
    spark = s;
    return s;
  }

  /** A session whose tasks cannot run may not stop cleanly either: stopped off the paragraph's thread. */
  private static void stopInBackground(SparkSession s) {
    Thread t = new Thread(() -> {
      try {
        s.stop();
      } catch (RuntimeException e) {
        LOG.warn("stopping a Spark session that could not run a job failed", e);
      }
    }, "omelet-stop-broken-spark");
    t.setDaemon(true);
    t.start();
  }

  private String resolve(String path) {
    return CommandContext.resolve(workDir(), path);
  }

  private Path workDir() {
    String d = getProperty("omelet.workDir", "");
    return Path.of(d.isBlank() ? System.getProperty("user.dir") : d).toAbsolutePath();
  }

  private int maxResult() {
    return intProperty("omelet.maxResult", DEFAULT_MAX_RESULT, false);
  }

  /** A positive whole-number property (or 0 where {@code zeroAllowed}), else its default. */
  private int intProperty(String key, int defaultValue, boolean zeroAllowed) {
    String v = getProperty(key, String.valueOf(defaultValue)).trim();
    try {
      int n = Integer.parseInt(v);
      return n > 0 || (zeroAllowed && n == 0) ? n : defaultValue;
    } catch (NumberFormatException e) {
      LOG.warn("{} '{}' is not a number; using {}", key, v, defaultValue);
      return defaultValue;
    }
  }
}
