package io.omelet.ui;

import java.util.Locale;
import java.util.Map;

/** Content types of run artifacts by extension; anything unknown is sent as bytes to download. */
final class ArtifactTypes {
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("html", "text/html; charset=utf-8"),
      Map.entry("htm", "text/html; charset=utf-8"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"),
      Map.entry("csv", "text/csv; charset=utf-8"),
      Map.entry("tsv", "text/tab-separated-values; charset=utf-8"),
      Map.entry("json", "application/json; charset=utf-8"),
      Map.entry("txt", "text/plain; charset=utf-8"),
      Map.entry("log", "text/plain; charset=utf-8"),
      Map.entry("md", "text/plain; charset=utf-8"),
      Map.entry("yaml", "text/plain; charset=utf-8"),
      Map.entry("yml", "text/plain; charset=utf-8"),
      Map.entry("py", "text/plain; charset=utf-8"),
      Map.entry("java", "text/plain; charset=utf-8"),
      Map.entry("sql", "text/plain; charset=utf-8"));

  private ArtifactTypes() {}

  static String contentType(String path) {
    int dot = path.lastIndexOf('.');
    int slash = path.lastIndexOf('/');
    if (dot <= slash) return "application/octet-stream";
    return TYPES.getOrDefault(path.substring(dot + 1).toLowerCase(Locale.ROOT), "application/octet-stream");
  }
}
