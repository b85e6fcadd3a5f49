package io.omelet.profile;

/** One coefficient between two columns. */
public final class CorrelationPair {
  public String method;
  public String left;
  public String right;
  public double value;

  public CorrelationPair() {}

  public CorrelationPair(String method, String left, String right, double value) {
    this.method = method;
    this.left = left;
    this.right = right;
    this.value = value;
  }
}
