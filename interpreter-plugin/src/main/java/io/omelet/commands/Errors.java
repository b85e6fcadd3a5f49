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

  /**
   * A one-line message for failures that come from the input's content rather than from Omelet,
   * found anywhere in the causes of {@code e} (Spark wraps them in job failures); null if none.
   */
  public static String inputError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.spark.SparkThrowable st && st.getErrorClass() != null
          && st.getErrorClass().startsWith("MALFORMED_RECORD_IN_PARSING")) {
        return "the input has a record the file parser refuses (check the quotes, the delimiter and"
            + " the encoding): " + printable(recordOf(t.getMessage()), 120);
      }
      if (t.getCause() == t) break;
    }
    return null;
  }

  private static final String MALFORMED = "Malformed records are detected in record parsing: ";

  /** Spark's malformed-record messages hold the record after {@link #MALFORMED}. */
  private static String recordOf(String message) {
    if (message == null) return "";
    int at = message.indexOf(MALFORMED);
    String record = at < 0 ? message : message.substring(at + MALFORMED.length());
    // Spark follows the record with a line about its parse mode
    int end = record.indexOf("\nParse Mode:");
    return end < 0 ? record : record.substring(0, end);
  }

  /** Control characters and symbols as backslash-u escapes; cut after {@code max} characters. */
  static String printable(String s, int max) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    for (; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      if ((c >= 0x20 && c < 0x7f) || Character.isLetterOrDigit(c)) b.append(c);
      else b.append(String.format("\\u%04x", (int) c));
    }
    return i < s.length() ? b + "..." : b.toString();
  }
}
