package io.omelet.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A route's path: literal segments, {@code {name}} for one non-empty segment and, last,
 * {@code {name*}} for the rest of the path (possibly empty). Segments are compared raw and
 * parameters decoded, so an encoded {@code /} stays inside its parameter.
 */
public final class PathPattern {
  private final String text;
  private final String[] parts;

  private PathPattern(String text) {
    this.text = text;
    this.parts = segments(text);
  }

  public static PathPattern of(String pattern) {
    if (!pattern.startsWith("/")) throw new IllegalArgumentException("a path pattern starts with '/': " + pattern);
    return new PathPattern(pattern);
  }

  /** The parameters when {@code rawPath} matches, else null. */
  Map<String, String> match(String rawPath) {
    String[] got = segments(rawPath);
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < parts.length; i++) {
      String want = parts[i];
      if (want.startsWith("{") && want.endsWith("*}")) {
        StringBuilder rest = new StringBuilder();
        for (int j = i; j < got.length; j++) {
          if (j > i) rest.append('/');
          rest.append(decode(got[j]));
        }
        params.put(want.substring(1, want.length() - 2), rest.toString());
        return params;
      }
      if (i >= got.length) return null;
      if (want.startsWith("{") && want.endsWith("}")) {
        String v = decode(got[i]);
        if (v.isEmpty()) return null;
        params.put(want.substring(1, want.length() - 1), v);
      } else if (!want.equals(got[i])) {
        return null;
      }
    }
    return got.length == parts.length ? params : null;
  }

  /** A path decoded; in a path {@code +} is a plus. 400 on bad percent-encoding. */
  static String decode(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("malformed percent-encoding in '" + raw + "'");
    }
  }

  private static String[] segments(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }

  @Override
  public String toString() {
    return text;
  }
}
