package io.omelet.profile;

/** Text put into HTML that Omelet writes (reports, the UI's error pages): never read as markup. */
public final class HtmlText {
  private HtmlText() {}

  /** Escapes text for HTML element content and quoted attribute values; null becomes "". */
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
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
