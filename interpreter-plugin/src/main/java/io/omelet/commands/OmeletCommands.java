package io.omelet.commands;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command language shared by the CLI and the Zeppelin interpreter: {@code omelet run ...},
 * {@code omelet runs search ...} and the rest. {@link #execute} parses one command line, runs it
 * against a {@link CommandContext} and says how it ended; results went to the context's sink.
 */
@Command(name = "omelet", mixinStandardHelpOptions = true, versionProvider = OmeletCommands.Version.class,
    sortOptions = false,
    description = "Profile a table, run tracked AutoML on it, explain and register the best model, and score new data: the model life cycle on Spark, tracked in Delta tables.",
    subcommands = {
        RunCommand.class,
        TuneCommand.class,
        ProfileCommand.class,
        RunsCommand.class,
        ExperimentsCommand.class,
        ModelsCommand.class,
        PredictCommand.class,
        ExplainCommand.class,
        PresetsCommand.class,
        SqlCommand.class,
        ServeCommand.class,
        MonitorCommand.class,
        UiCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Examples:",
        "  omelet run -f data/mlc_churn.csv --target churn --profile fast",
        "  omelet runs search --experiment mlc_churn --filter \"metrics.holdout_auc > 0.8\" --order-by \"metrics.holdout_auc DESC\"",
        "  omelet tune -f data/credit_data.csv --target Status --algo gbt --trials 30",
        "  omelet predict --model mlc_churn@champion -f new.csv --out scored.parquet",
        "Exit codes: 0 success, 1 failure, 2 usage error, 130 cancelled.",
        "Run 'omelet COMMAND --help' for a command's options and examples."})
public final class OmeletCommands implements Runnable {
  public static final int OK = 0, FAILED = 1, USAGE = 2, CANCELLED = 130;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is missing; see 'omelet --help'");
  }

  /** How a command ended: its exit code and, unless it succeeded, a one-line reason. */
  public record Outcome(int exitCode, String error, boolean unexpected) {
    public boolean ok() {
      return exitCode == OK;
    }
  }

  /** Parses and runs one command line; results and help text go to {@code ctx}'s sink. */
  public static Outcome execute(CommandContext ctx, String... args) {
    StringWriter help = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = commandLine(ctx);
    cl.setOut(new PrintWriter(help, true));
    cl.setErr(new PrintWriter(err, true));
    String[] failure = new String[1];
    boolean[] unexpected = new boolean[1];
    cl.setParameterExceptionHandler((ex, a) -> {
      CommandLine at = ex.getCommandLine();
      failure[0] = ex.getMessage() + " (see '" + at.getCommandSpec().qualifiedName() + " --help')";
      return USAGE;
    });
    cl.setExecutionExceptionHandler((ex, at, parsed) -> {
      if (ex instanceof CommandCancelledException || ctx.cancelled()) {
        failure[0] = "cancelled";
        return CANCELLED;
      }
      if (ex instanceof ParameterException pe) {
        failure[0] = pe.getMessage() + " (see '" + at.getCommandSpec().qualifiedName() + " --help')";
        return USAGE;
      }
      String fromInput = Errors.inputError(ex);
      failure[0] = fromInput != null ? fromInput : Errors.oneLine(ex);
      // The registry's own errors (unknown names, invalid names) are written for people too.
      if (fromInput == null && !(ex instanceof CommandException || ex instanceof IllegalArgumentException
          || ex instanceof io.omelet.registry.RegistryException)) {
        // Not a known bad input: keep the trace for the log, the user sees one line.
        org.slf4j.LoggerFactory.getLogger(OmeletCommands.class).error("command failed", ex);
        unexpected[0] = true;
      }
      return FAILED;
    });
    int code;
    try {
      code = cl.execute(args);
    } catch (Error e) {
      // picocli hands only Exceptions to the handler: an Error (a class missing from the class
      // path, out of memory) would leave the front end without an answer.
      org.slf4j.LoggerFactory.getLogger(OmeletCommands.class).error("command failed", e);
      String cls = e.getClass().getSimpleName();
      return new Outcome(FAILED, cls + ": " + Errors.oneLine(e), true);
    }
    String shown = help.toString();
    if (!shown.isBlank()) ctx.sink().result(new CommandResult.Text(shown.stripTrailing()));
    if (code != OK && failure[0] == null) failure[0] = err.toString().strip();
    return new Outcome(code, code == OK ? null : failure[0], unexpected[0]);
  }

  /** The parser with every subcommand, its options filled on the context's behalf. */
  public static CommandLine commandLine(CommandContext ctx) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        K obj = defaults.create(cls);
        if (obj instanceof OmeletSubcommand s) s.context(ctx);
        return obj;
      }
    };
    CommandLine cl = new CommandLine(new OmeletCommands(), factory);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setAbbreviatedOptionsAllowed(false);
    cl.setUsageHelpWidth(120);
    return cl;
  }

  /** {@code omelet --version}: the jar's version and the platform it was built for. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws java.io.IOException {
      java.util.Properties p = new java.util.Properties();
      try (var in = OmeletCommands.class.getResourceAsStream("/io/omelet/commands/version.properties")) {
        if (in != null) p.load(in);
      }
      return new String[] {"omelet " + p.getProperty("omelet", "unknown"),
          "built for Spark " + p.getProperty("spark", "?") + ", Delta " + p.getProperty("delta", "?")
              + ", H2O " + p.getProperty("h2o", "?") + "; running on Java " + System.getProperty("java.version")};
    }
  }

  /** A group of subcommands (runs, models, ...): called alone, it is a usage error. */
  abstract static class Group implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
      throw new ParameterException(spec.commandLine(), "a subcommand is missing");
    }
  }
}
