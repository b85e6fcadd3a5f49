package io.omelet.common.svg;

import java.util.ArrayList;
import java.util.List;

/** A linear map from data values to pixels, with round tick values for its axis. */
public final class LinearScale {
  private final double in0;
  private final double in1;
  private final double out0;
  private final double out1;

  private LinearScale(double in0, double in1, double out0, double out1) {
    this.in0 = in0;
    this.in1 = in1;
    this.out0 = out0;
    this.out1 = out1;
  }

  /**
   * Maps [lo, hi] onto [out0, out1] (out1 may be below out0, as for a y axis); an empty range is widened
   * by 0.5 each side so a single value still has a place.
   */
  public static LinearScale of(double lo, double hi, double out0, double out1) {
    if (!(hi - lo >= 1e-12)) {
      lo -= 0.5;
      hi += 0.5;
    }
    return new LinearScale(lo, hi, out0, out1);
  }

  /** The same pixels for a data range widened by {@code fraction} of it each side, so no mark sits on the edge. */
  public LinearScale padded(double fraction) {
    double pad = (in1 - in0) * fraction;
    return new LinearScale(in0 - pad, in1 + pad, out0, out1);
  }

  public double map(double v) {
    return out0 + (v - in0) / (in1 - in0) * (out1 - out0);
  }

  public double lo() {
    return in0;
  }

  public double hi() {
    return in1;
  }

  public double out0() {
    return out0;
  }

  public double out1() {
    return out1;
  }

  /** Round values (1, 2 or 5 times a power of ten apart) inside the range, 5 to 10 of them. */
  public List<Double> ticks() {
    double span = in1 - in0;
    double step = Math.pow(10, Math.floor(Math.log10(span / 5)));
    if (span / step > 10) step *= 2;
    if (span / step > 10) step *= 2.5;
    List<Double> out = new ArrayList<>();
    for (double t = Math.ceil(in0 / step) * step; t <= in1 + 1e-12; t += step) out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
    return out;
  }
}
