package io.omelet.common.svg;

import java.util.List;

import io.omelet.common.svg.Svg.Anchor;

/**
 * Horizontal bars one per row: a label, a bar as long as its value's share of the largest, and the value
 * written after the bar. Missing values (NaN) keep their label and get no bar.
 */
public final class BarRows {
  /** One row: what it is, its value, how the value is written, the bar's colour and tooltip (may be null). */
  public record Bar(String label, double value, String valueText, String fill, String title) {
    public Bar(String label, double value, String valueText, String fill) {
      this(label, value, valueText, fill, null);
    }
  }

  /**
   * Where the rows go: the first row's top, the row pitch and bar height, the label's x (its right end
   * when {@code labelsRightAligned}, else its start), and the bars' x and longest length.
   */
  public record Layout(double top, double rowHeight, double barHeight, double labelX, boolean labelsRightAligned,
      double barX, double maxLength) {}

  private BarRows() {}

  /** Draws the rows; bars are scaled to the largest |value| (or to {@code scaleMax} when it is larger). */
  public static void draw(Svg svg, List<Bar> bars, Layout at, double scaleMax) {
    double max = scaleMax;
    for (Bar b : bars) if (!Double.isNaN(b.value())) max = Math.max(max, Math.abs(b.value()));
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double y = at.top() + i * at.rowHeight();
      double textY = y + at.barHeight() * 0.8;
      svg.text(at.labelX(), textY, b.label(), at.labelsRightAligned() ? Anchor.END : Anchor.START);
      if (Double.isNaN(b.value())) continue;
      double len = max == 0 ? 0 : at.maxLength() * Math.abs(b.value()) / max;
      svg.rect(at.barX(), y, len, at.barHeight(), b.fill(), b.title());
      svg.text(at.barX() + len + 4, textY, b.valueText());
    }
  }
}
