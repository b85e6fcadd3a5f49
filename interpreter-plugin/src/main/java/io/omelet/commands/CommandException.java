package io.omelet.commands;

/**
 * A command failed for a reason the user can act on (bad input, unknown model, unreadable file):
 * front ends show its message alone, on one line, without a stack trace, and exit 1.
 */
public class CommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CommandException(String message) {
    super(message);
  }

  public CommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
