package io.omelet.automl;

/** What the label asks for, named as H2O names its model categories. */
public enum ProblemType {
  /** Two classes. */
  BINOMIAL,
  /** Three or more classes. */
  MULTINOMIAL,
  /** A number. */
  REGRESSION;

  public boolean isClassification() {
    return this != REGRESSION;
  }

  /** Parses "binomial", "binary", "multinomial", "multiclass", "regression" (any case). */
  public static ProblemType parse(String s) {
    if (s == null) return null;
    return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "binomial", "binary" -> BINOMIAL;
      case "multinomial", "multiclass" -> MULTINOMIAL;
      case "regression" -> REGRESSION;
      case "auto", "" -> null;
      default -> throw new IllegalArgumentException("unknown problem type '" + s
          + "': expected auto, binomial, multinomial or regression");
    };
  }
}
