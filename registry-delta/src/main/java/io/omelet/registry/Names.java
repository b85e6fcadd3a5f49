package io.omelet.registry;

import java.net.URI;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * The one check for names the registry keeps: names that become part of a file path (registered
 * models, artifact paths, preset kinds and names) and display names stored beside them
 * (experiments, runs). Every front end (API, SQL, REST, CLI, Zeppelin, UI) reaches the registry
 * through these checks, so a name like {@code ..} can never address the registry root.
 */
public final class Names {
  /** Longest name or path segment, in characters. */
  public static final int MAX_NAME_LENGTH = 256;
  /** Longest relative artifact path, in characters. */
  public static final int MAX_PATH_LENGTH = 1024;

  private static final Pattern ALIAS = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
  private static final Pattern VERSION_LIKE_ALIAS = Pattern.compile("[vV]\\d+");

  /** Longest metric, param or tag key, in characters. */
  static final int MAX_KEY_LENGTH = 250;

  private Names() {}

  /** A metric, param or tag key: non-empty, at most {@value #MAX_KEY_LENGTH} characters. */
  static void requireKey(String key) {
    if (key == null || key.isBlank()) throw new RegistryException("keys must be non-empty");
    if (key.length() > MAX_KEY_LENGTH) {
      throw new RegistryException("key '" + key.substring(0, 40) + "...' is " + key.length()
          + " characters long; the limit is " + MAX_KEY_LENGTH);
    }
  }

  /** A registered model's name: a {@linkplain #requireSegment segment} without {@code @} (it starts an alias). */
  public static String requireModelName(String name) {
    requireSegment(name, "model name");
    if (name.indexOf('@') >= 0) {
      throw new RegistryException("model name '" + name + "' is not valid: it cannot hold '@' (it starts an alias)");
    }
    return name;
  }

  /** A model alias: letters, digits, {@code _} and {@code -}, not a version ({@code v3}) nor {@code latest}. */
  public static String requireAlias(String alias) {
    if (alias == null || !ALIAS.matcher(alias).matches()) {
      throw new RegistryException("alias " + (alias == null ? "null" : quote(alias)) + " is not valid: letters,"
          + " digits, '_' and '-', starting with a letter or '_'");
    }
    if (VERSION_LIKE_ALIAS.matcher(alias).matches() || alias.equalsIgnoreCase("latest")) {
      throw new RegistryException("alias '" + alias + "' is reserved (it reads as a version)");
    }
    return alias;
  }

  /**
   * A name that becomes one path segment (a registered model, a preset): non-empty, not {@code .} or
   * {@code ..}, without {@code /}, {@code \}, {@code :} or control characters, at most
   * {@link #MAX_NAME_LENGTH} characters.
   */
  public static String requireSegment(String name, String what) {
    requireDisplayName(name, what);
    String problem = segmentProblem(name);
    if (problem != null) throw new RegistryException(what + " " + quote(name) + " is not valid: " + problem);
    return name;
  }

  /**
   * A display name (an experiment, a run name): non-empty, without control characters, at most
   * {@link #MAX_NAME_LENGTH} characters. It may hold {@code /} (MLflow's workspace-style experiment
   * names do): it never becomes a path.
   */
  public static String requireDisplayName(String name, String what) {
    if (name == null || name.isBlank()) throw new RegistryException(what + " must be non-empty");
    if (name.length() > MAX_NAME_LENGTH) {
      throw new RegistryException(what + " " + quote(name.substring(0, 40) + "...") + " is " + name.length()
          + " characters long; the limit is " + MAX_NAME_LENGTH);
    }
    int control = firstControl(name);
    if (control >= 0) {
      throw new RegistryException(what + " " + quote(name) + " holds a control character at position " + control);
    }
    return name;
  }

  /**
   * A path relative to a folder of the registry (an artifact path): segments separated by
   * {@code /}, each a valid {@linkplain #requireSegment segment}; not absolute, no empty segment, at
   * most {@link #MAX_PATH_LENGTH} characters. A trailing {@code /} is dropped. Null, empty and
   * {@code .} mean the folder itself and come back as the empty string.
   */
  public static String requireRelativePath(String path, String what) {
    if (path == null || path.isEmpty() || path.equals(".")) return "";
    if (path.length() > MAX_PATH_LENGTH) {
      throw new RegistryException(what + " is " + path.length() + " characters long; the limit is " + MAX_PATH_LENGTH);
    }
    int control = firstControl(path);
    if (control >= 0) {
      throw new RegistryException(what + " " + quote(path) + " holds a control character at position " + control);
    }
    if (path.startsWith("/") || path.startsWith("\\")) {
      throw new RegistryException(what + " " + quote(path) + " is absolute: give a path relative to the run's artifacts");
    }
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    for (String segment : p.split("/", -1)) {
      String problem = segmentProblem(segment);
      if (problem != null) {
        throw new RegistryException(what + " " + quote(path) + " is not valid: segment " + quote(segment) + ": " + problem);
      }
    }
    return p;
  }

  /**
   * Fails unless {@code p} is {@code base} or lies below it once both are normalized: the last
   * guard before a file operation, whatever the name checks let through.
   */
  static Path requireUnder(Path base, Path p, String what) {
    URI b = base.toUri().normalize();
    URI c = p.toUri().normalize();
    String bp = trimSlash(b.getPath());
    String cp = trimSlash(c.getPath());
    boolean sameFs = java.util.Objects.equals(b.getScheme(), c.getScheme())
        && java.util.Objects.equals(b.getAuthority(), c.getAuthority());
    if (!sameFs || !(cp.equals(bp) || cp.startsWith(bp + "/"))) {
      throw new RegistryException(what + " " + p + " lies outside " + base);
    }
    return p;
  }

  /** Whether {@code p} lies strictly below {@code base}. */
  static boolean strictlyUnder(Path base, Path p) {
    String bp = trimSlash(base.toUri().normalize().getPath());
    String cp = trimSlash(p.toUri().normalize().getPath());
    return cp.startsWith(bp + "/") && cp.length() > bp.length() + 1;
  }

  private static String segmentProblem(String s) {
    if (s.isEmpty()) return "it is empty";
    if (s.equals(".") || s.equals("..")) return "it cannot be '.' or '..'";
    if (s.length() > MAX_NAME_LENGTH) return "it is longer than " + MAX_NAME_LENGTH + " characters";
    if (s.indexOf('/') >= 0 || s.indexOf('\\') >= 0 || s.indexOf(':') >= 0) {
      return "it cannot hold '/', '\\' or ':'";
    }
    return null;
  }

  private static int firstControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') return i;
    }
    return -1;
  }

  private static String trimSlash(String s) {
    if (s == null) return "";
    return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      if (Character.isISOControl(c)) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('\'').toString();
  }
}
