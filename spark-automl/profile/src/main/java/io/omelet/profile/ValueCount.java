package io.omelet.profile;

/** A value (as text) and how often it occurs. */
public final class ValueCount {
  public String value;
  public long count;

  public ValueCount() {}

  public ValueCount(String value, long count) {
    this.value = value;
    this.count = count;
  }
}
