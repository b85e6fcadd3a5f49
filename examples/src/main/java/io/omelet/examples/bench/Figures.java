package io.omelet.examples.bench;

import java.util.Arrays;
import java.util.Locale;

/** Prints figures as {@code figure_name = value}, one a line, the form bin/bench promises. */
public final class Figures {
  private Figures() {}

  public static void print(String name, double value) {
    System.out.println(name + " = " + format(value));
    System.out.flush();
  }

  /** A count, printed as a whole number. */
  public static void print(String name, long value) {
    print(name, Long.toString(value));
  }

  public static void print(String name, String value) {
    System.out.println(name + " = " + value);
    System.out.flush();
  }

  static String format(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
    double a = Math.abs(v);
    if (a >= 1000) return String.format(Locale.ROOT, "%.0f", v);
    if (a >= 1) return String.format(Locale.ROOT, "%.3f", v);
    return String.format(Locale.ROOT, "%.6f", v);
  }

  public static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
  }

  /** Seconds since {@code startNanos}. */
  public static double since(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
