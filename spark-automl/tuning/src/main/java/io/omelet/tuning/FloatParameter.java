package io.omelet.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A real-valued parameter in [low, high], uniform on the linear or the log scale. */
public record FloatParameter(String name, double low, double high, boolean log) implements NumericParameter {
  public FloatParameter {
    Parameter.checkName(name);
    if (!Double.isFinite(low) || !Double.isFinite(high)) {
      throw new IllegalArgumentException("parameter " + name + ": bounds must be finite, got [" + low + ", " + high + "]");
    }
    if (low >= high) {
      throw new IllegalArgumentException("parameter " + name + ": low (" + low + ") must be below high (" + high + ")");
    }
    if (log && low <= 0) {
      throw new IllegalArgumentException("parameter " + name + ": a log-uniform range needs low > 0, got " + low);
    }
  }

  @Override
  public Object canonical(Object value) {
    double v;
    if (value instanceof Number n) v = n.doubleValue();
    else if (value instanceof String s) v = parse(s);
    else throw new IllegalArgumentException("parameter " + name + ": " + value + " is not a number");
    if (!(v >= low && v <= high)) {
      throw new IllegalArgumentException("parameter " + name + ": " + v + " is outside [" + low + ", " + high + "]");
    }
    return v;
  }

  private double parse(String s) {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("parameter " + name + ": '" + s + "' is not a number");
    }
  }

  @Override
  public Object sampleUniform(Random rng) {
    return fromModel(modelLow() + rng.nextDouble() * (modelHigh() - modelLow()));
  }

  @Override
  public double modelLow() {
    return log ? Math.log(low) : low;
  }

  @Override
  public double modelHigh() {
    return log ? Math.log(high) : high;
  }

  @Override
  public double toModel(Object value) {
    double v = ((Number) value).doubleValue();
    return log ? Math.log(v) : v;
  }

  @Override
  public Object fromModel(double x) {
    double v = log ? Math.exp(x) : x;
    return Math.min(high, Math.max(low, v));
  }

  @Override
  public double modelStep() {
    return 0;
  }

  @Override
  public List<Object> gridValues(int points) {
    List<Object> out = new ArrayList<>(points);
    for (int i = 0; i < points; i++) {
      // The ends exactly: exp(log(x)) need not give x back.
      if (i == 0) out.add(low);
      else if (i == points - 1) out.add(high);
      else out.add(fromModel(modelLow() + (modelHigh() - modelLow()) * i / (points - 1)));
    }
    return out;
  }

  @Override
  public String toString() {
    return name + " ~ " + (log ? "logUniform" : "uniform") + "(" + low + ", " + high + ")";
  }
}
