package io.omelet.common.svg;

import static io.omelet.common.HtmlText.escape;

import java.util.Locale;

/**
 * One standalone SVG document being drawn: the shapes Omelet's plots use, every text and tooltip escaped
 * with {@link io.omelet.common.HtmlText}, coordinates to a tenth of a pixel. No scripts, links or external
 * references, so the result is safe inline in any HTML page or Zeppelin's %html.
 */
public final class Svg {
  private final StringBuilder sb = new StringBuilder();
  private final int width;
  private final int height;

  /** A standalone document (its own file) of {@code width} x {@code height} pixels in a sans-serif font. */
  public Svg(int width, int height) {
    this(width, height, 0);
  }

  /** The same with a default font size for its texts ({@code 0}: the page's). */
  public Svg(int width, int height, int fontSize) {
    this(width, height, fontSize, true);
  }

  /**
   * A drawing for inside an HTML page, which gives it its namespace: no xmlns, so the page names no
   * URL at all; the page's style sets the font.
   */
  public static Svg inline(int width, int height) {
    return new Svg(width, height, 0, false);
  }

  private Svg(int width, int height, int fontSize, boolean standalone) {
    this.width = width;
    this.height = height;
    sb.append("<svg");
    if (standalone) sb.append(" xmlns=\"http://www.w3.org/2000/svg\"");
    sb.append(String.format(Locale.ROOT, " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"", width, height, width,
        height));
    if (standalone) sb.append(" font-family=\"sans-serif\"");
    if (fontSize > 0) sb.append(" font-size=\"").append(fontSize).append('"');
    sb.append(">\n");
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Paints the whole document (a white page stays white on a dark notebook theme). */
  public Svg background(String fill) {
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"").append(fill).append("\"/>\n");
    return this;
  }

  public Svg line(double x1, double y1, double x2, double y2, String stroke) {
    return line(x1, y1, x2, y2, stroke, 1);
  }

  public Svg line(double x1, double y1, double x2, double y2, String stroke, double strokeWidth) {
    sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
        + "stroke-width=\"%.1f\"/>%n", x1, y1, x2, y2, stroke, strokeWidth));
    return this;
  }

  public Svg rect(double x, double y, double w, double h, String fill) {
    return rect(x, y, w, h, fill, null);
  }

  /** A filled rectangle; {@code title} (may be null) is its tooltip. */
  public Svg rect(double x, double y, double w, double h, String fill, String title) {
    sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"", x, y,
        w, h, fill));
    return closeWithTitle("rect", title);
  }

  /** An unfilled rectangle, e.g. a plot's frame. */
  public Svg frame(double x, double y, double w, double h, String stroke) {
    sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
        + "stroke=\"%s\"/>%n", x, y, w, h, stroke));
    return this;
  }

  public Svg circle(double cx, double cy, double r, String fill) {
    return circle(cx, cy, r, fill, 1, null);
  }

  /** A dot; {@code opacity} below 1 lets overlapping dots show their density, {@code title} (may be null) is its tooltip. */
  public Svg circle(double cx, double cy, double r, String fill, double opacity, String title) {
    sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"", cx, cy, r, fill));
    if (opacity < 1) sb.append(String.format(Locale.ROOT, " fill-opacity=\"%.2f\"", opacity));
    return closeWithTitle("circle", title);
  }

  /** A line through the points (x0, y0, x1, y1, ...), unfilled. */
  public Svg polyline(double[] xy, String stroke, double strokeWidth) {
    sb.append("<polyline fill=\"none\" stroke=\"").append(stroke)
        .append(String.format(Locale.ROOT, "\" stroke-width=\"%.1f\" points=\"", strokeWidth));
    for (int i = 0; i + 1 < xy.length; i += 2) {
      sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", xy[i], xy[i + 1]));
    }
    sb.append("\"/>\n");
    return this;
  }

  /** An unfilled path (see {@link PathData}); {@code title} (may be null) is its tooltip. */
  public Svg path(PathData d, String stroke, double strokeWidth, double opacity, String title) {
    sb.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(stroke)
        .append(String.format(Locale.ROOT, "\" stroke-width=\"%.1f\"", strokeWidth));
    if (opacity < 1) sb.append(String.format(Locale.ROOT, " stroke-opacity=\"%.2f\"", opacity));
    return closeWithTitle("path", title);
  }

  /** Text starting at (x, y), in the document's font size. */
  public Svg text(double x, double y, String s) {
    return text(x, y, s, Anchor.START, 0, false);
  }

  public Svg text(double x, double y, String s, Anchor anchor) {
    return text(x, y, s, anchor, 0, false);
  }

  /** Text anchored at (x, y); {@code size} 0 keeps the document's font size. */
  public Svg text(double x, double y, String s, Anchor anchor, int size, boolean bold) {
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\"", x, y));
    attributes(anchor, size, bold);
    sb.append('>').append(escape(s)).append("</text>\n");
    return this;
  }

  /** Text turned by {@code degrees} around (x, y), e.g. -90 for a vertical axis label, -45 for crowded categories. */
  public Svg rotatedText(double x, double y, String s, Anchor anchor, int size, double degrees) {
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\"", x, y));
    attributes(anchor, size, false);
    sb.append(String.format(Locale.ROOT, " transform=\"rotate(%.0f %.1f %.1f)\">", degrees, x, y)).append(escape(s))
        .append("</text>\n");
    return this;
  }

  /** A small coloured square and its label, for legends. */
  public Svg swatch(double x, double y, String fill, String label) {
    rect(x, y - 9, 10, 10, fill);
    return text(x + 14, y, label);
  }

  /** The document, closed. */
  public String close() {
    return sb.append("</svg>\n").toString();
  }

  @Override
  public String toString() {
    return sb + "</svg>\n";
  }

  private void attributes(Anchor anchor, int size, boolean bold) {
    if (anchor != Anchor.START) sb.append(" text-anchor=\"").append(anchor.svg).append('"');
    if (size > 0) sb.append(" font-size=\"").append(size).append('"');
    if (bold) sb.append(" font-weight=\"bold\"");
  }

  private Svg closeWithTitle(String element, String title) {
    if (title == null) {
      sb.append("/>\n");
    } else {
      sb.append("><title>").append(escape(title)).append("</title></").append(element).append(">\n");
    }
    return this;
  }

  /** Where a text sits relative to its point. */
  public enum Anchor {
    START("start"), MIDDLE("middle"), END("end");

    private final String svg;

    Anchor(String svg) {
      this.svg = svg;
    }
  }
}
