package io.omelet.profile;

/** One finding about the table or a column; {@code column} is null for table-level alerts. */
public final class Alert {
  public AlertType type;
  public String column;
  public String message;
  /** The statistic that triggered the alert (a percentage, a count, a coefficient). */
  public Double value;

  public Alert() {}

  public Alert(AlertType type, String column, String message, Double value) {
    this.type = type;
    this.column = column;
    this.message = message;
    this.value = value;
  }

  @Override
  public String toString() {
    return type + (column == null ? "" : "[" + column + "]") + ": " + message;
  }
}
