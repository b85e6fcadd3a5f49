package io.omelet.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A leaf command: picocli fills its options, {@link OmeletCommands} hands it the context, and
 * {@link #run} sends its results to the context's sink. It never prints: the front end renders.
 */
public abstract class OmeletSubcommand implements Callable<Integer> {
  @Spec
  protected CommandSpec spec;

  private CommandContext context;

  void context(CommandContext ctx) {
    this.context = ctx;
  }

  protected CommandContext ctx() {
    return context;
  }

  protected CommandSink out() {
    return context.sink();
  }

  /** Does the work; throw {@link CommandException} for a failure the user can fix. */
  protected abstract void run() throws Exception;

  @Override
  public final Integer call() throws Exception {
    run();
    return 0;
  }

  /** A usage error (exit 2) in this command, for a value picocli's own checks let through. */
  protected ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  protected void text(String format, Object... args) {
    out().result(new CommandResult.Text(args.length == 0 ? format : String.format(format, args)));
  }
}
