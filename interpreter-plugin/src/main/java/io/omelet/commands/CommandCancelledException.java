package io.omelet.commands;

/** The command was cancelled by its user; front ends exit 130 (as after SIGINT). */
public class CommandCancelledException extends CommandException {
  private static final long serialVersionUID = 1L;

  public CommandCancelledException() {
    super("cancelled");
  }
}
