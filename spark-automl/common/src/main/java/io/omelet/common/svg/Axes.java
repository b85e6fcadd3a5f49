package io.omelet.common.svg;

import java.util.function.DoubleFunction;

import io.omelet.common.svg.Svg.Anchor;

/** Axis lines with their ticks, tick labels and title, drawn along a {@link LinearScale}. */
public final class Axes {
  private static final String INK = "#333";

  private Axes() {}

  /** A horizontal axis at height {@code y}, ticks below it, {@code label} centred under them. */
  public static void bottom(Svg svg, LinearScale x, double y, String label, DoubleFunction<String> format) {
    svg.line(x.out0(), y, x.out1(), y, INK);
    for (double t : x.ticks()) {
      svg.line(x.map(t), y, x.map(t), y + 4, INK);
      svg.text(x.map(t), y + 16, format.apply(t), Anchor.MIDDLE, 10, false);
    }
    svg.text((x.out0() + x.out1()) / 2, y + 34, label, Anchor.MIDDLE, 12, false);
  }

  /** A vertical axis at {@code x}, ticks to its left, {@code label} turned upright {@code labelX} from the edge. */
  public static void left(Svg svg, LinearScale y, double x, double labelX, String label, DoubleFunction<String> format) {
    svg.line(x, y.out0(), x, y.out1(), INK);
    for (double t : y.ticks()) {
      svg.line(x - 4, y.map(t), x, y.map(t), INK);
      svg.text(x - 6, y.map(t) + 4, format.apply(t), Anchor.END, 10, false);
    }
    svg.rotatedText(labelX, (y.out0() + y.out1()) / 2, label, Anchor.MIDDLE, 12, -90);
  }
}
