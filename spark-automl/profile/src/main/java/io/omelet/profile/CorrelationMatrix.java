package io.omelet.profile;

/** A symmetric coefficient matrix; NaN (written as null) where a pair had too little data. */
public final class CorrelationMatrix {
  public String method;
  public String[] columns;
  public Double[][] values;

  public CorrelationMatrix() {}

  public CorrelationMatrix(String method, String[] columns, Double[][] values) {
    this.method = method;
    this.columns = columns;
    this.values = values;
  }

  public Double get(String a, String b) {
    int i = indexOf(a), j = indexOf(b);
    return i < 0 || j < 0 ? null : values[i][j];
  }

  private int indexOf(String c) {
    for (int i = 0; i < columns.length; i++) if (columns[i].equals(c)) return i;
    return -1;
  }
}
