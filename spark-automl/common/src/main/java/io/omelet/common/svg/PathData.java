package io.omelet.common.svg;

import java.util.Locale;

/** A path's {@code d} attribute: straight segments, with gaps where a line is lifted. */
public final class PathData {
  private final StringBuilder d = new StringBuilder();
  private boolean penDown;

  /** Starts a new segment at (x, y). */
  public PathData moveTo(double x, double y) {
    append('M', x, y);
    penDown = true;
    return this;
  }

  /** Continues the segment to (x, y), or starts one there when the pen is up. */
  public PathData lineTo(double x, double y) {
    append(penDown ? 'L' : 'M', x, y);
    penDown = true;
    return this;
  }

  /** Lifts the pen: the next {@link #lineTo} starts a new segment. */
  public PathData lift() {
    penDown = false;
    return this;
  }

  public boolean isEmpty() {
    return d.length() == 0;
  }

  private void append(char op, double x, double y) {
    if (d.length() > 0) d.append(' ');
    d.append(op).append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
  }

  @Override
  public String toString() {
    return d.toString();
  }
}
