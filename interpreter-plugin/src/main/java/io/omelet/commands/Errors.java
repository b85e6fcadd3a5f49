package io.omelet.commands;

/** Error messages for people: one line, the cause that says most. */
public final class Errors {
  private Errors() {}

  /** The message of {@code e}, else of its first cause that has one, on one line. */
  public static String oneLine(Throwable e) {
    Throwable t = e;
    String msg = null;
    while (t != null && msg == null) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) msg = t.getMessage();
      else t = t.getCause();
    }
    if (msg == null) msg = e.getClass().getSimpleName();
    // Spark and Delta append plans and stack-like detail after the first line.
    String first = msg.strip().lines().findFirst().orElse(msg);
    return first.length() > 400 ? first.substring(0, 400) + "..." : first;
  }
}
