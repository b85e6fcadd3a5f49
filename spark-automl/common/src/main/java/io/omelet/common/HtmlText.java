package io.omelet.common;

/**
 * Text put into HTML or SVG that Omelet writes (reports, plots, the UI's error pages): never read as
 * markup. The one escaper of the project: the profile, the run report, SHAP and tuning plots and
 * the UI all use it.
 */
public final class HtmlText {
  private HtmlText() {}

  /**
   * Escapes text for HTML or SVG element content and quoted attribute values; null becomes "".
   * Control characters other than tab and line breaks are dropped: XML (so SVG) does not allow them.
   */
  public static String escape(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') b.append(c);
        }
      }
    }
    return b.toString();
  }
}
