package io.omelet.profile;

/** What a column holds, as a profile reports it (may differ from its Spark type). */
public enum VariableType {
  NUM, CAT, BOOL, DATE, TEXT, UNSUPPORTED
}
