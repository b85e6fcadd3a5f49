package io.omelet.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** An integer parameter: low, low + step, ..., high; on the log scale (step 1) for log ones. */
public record IntParameter(String name, int low, int high, int step, boolean log) implements NumericParameter {
  public IntParameter {
    Parameter.checkName(name);
    if (low >= high) {
      throw new IllegalArgumentException("parameter " + name + ": low (" + low + ") must be below high (" + high + ")");
    }
    if (step < 1) throw new IllegalArgumentException("parameter " + name + ": step must be >= 1, got " + step);
    if (((long) high - low) % step != 0) {
      throw new IllegalArgumentException("parameter " + name + ": step " + step + " does not divide the range ["
          + low + ", " + high + "] (high - low = " + ((long) high - low) + ")");
    }
    if (log && low <= 0) {
      throw new IllegalArgumentException("parameter " + name + ": a log integer range needs low >= 1, got " + low);
    }
    if (log && step != 1) {
      throw new IllegalArgumentException("parameter " + name + ": a log integer range takes step 1, got " + step);
    }
  }

  @Override
  public Object canonical(Object value) {
    double v;
    if (value instanceof Number n) v = n.doubleValue();
    else if (value instanceof String s) {
      try {
        v = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("parameter " + name + ": '" + s + "' is not an integer");
      }
    } else throw new IllegalArgumentException("parameter " + name + ": " + value + " is not an integer");
    if (v != Math.rint(v) || v < low || v > high || ((long) v - low) % step != 0) {
      throw new IllegalArgumentException("parameter " + name + ": " + value + " is not one of " + low + ", "
          + (low + step) + ", ..., " + high);
    }
    return (int) v;
  }

  @Override
  public Object sampleUniform(Random rng) {
    return fromModel(modelLow() + rng.nextDouble() * (modelHigh() - modelLow()));
  }

  @Override
  public double modelLow() {
    return log ? Math.log(low - 0.5) : low - 0.5 * step;
  }

  @Override
  public double modelHigh() {
    return log ? Math.log(high + 0.5) : high + 0.5 * step;
  }

  @Override
  public double toModel(Object value) {
    double v = ((Number) value).doubleValue();
    return log ? Math.log(v) : v;
  }

  @Override
  public Object fromModel(double x) {
    long v = log ? Math.round(Math.exp(x)) : low + Math.round((x - low) / step) * (long) step;
    return (int) Math.min(high, Math.max(low, v));
  }

  @Override
  public double modelStep() {
    return log ? 0 : step;
  }

  /** Every value by step for a linear range; {@code points} values spread on the log scale for a log one. */
  @Override
  public List<Object> gridValues(int points) {
    List<Object> out = new ArrayList<>();
    if (!log) {
      for (long v = low; v <= high; v += step) out.add((int) v);
      return out;
    }
    double a = Math.log(low);
    double b = Math.log(high);
    for (int i = 0; i < points; i++) {
      int v = (int) Math.min(high, Math.max(low, Math.round(Math.exp(a + (b - a) * i / (points - 1)))));
      if (!out.contains(v)) out.add(v);
    }
    return out;
  }

  @Override
  public String toString() {
    return name + " ~ " + (log ? "logInteger" : "integer") + "(" + low + ", " + high + (step != 1 ? ", step " + step : "") + ")";
  }
}
