package io.omelet.registry;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses model URIs: {@code name@alias}, {@code name/version}, {@code runs:/<run_id>/<path>}. */
final class ModelUri {
  private static final Pattern ALIAS = Pattern.compile("(?:models:/)?([^/@]+)@([^/@]+)");
  private static final Pattern VERSION = Pattern.compile("(?:models:/)?([^/@]+)/(\\d+)");
  private static final Pattern RUN = Pattern.compile("runs:/([0-9a-f]{32})/(.+)");

  private ModelUri() {}

  /** The alias of a {@code name@alias} URI, or null for any other. */
  static String aliasOf(String uri) {
    if (uri == null) return null;
    Matcher m = ALIAS.matcher(uri.trim());
    return m.matches() ? m.group(2) : null;
  }

  static ResolvedModel resolve(OmeletRegistry registry, String uri) {
    if (uri == null || uri.isBlank()) throw new RegistryException("empty model URI");
    String u = uri.trim();
    Matcher m = ALIAS.matcher(u);
    if (m.matches()) {
      // a name or alias that could never have been registered is refused as such, not looked up
      ModelVersion v = registry.getModelVersionByAlias(Names.requireModelName(m.group(1)), Names.requireAlias(m.group(2)));
      return new ResolvedModel(uri, v.name(), v.version(), v.runId(), v.storageLocation());
    }
    m = VERSION.matcher(u);
    if (m.matches()) {
      ModelVersion v = registry.getModelVersion(Names.requireModelName(m.group(1)), Integer.parseInt(m.group(2)));
      return new ResolvedModel(uri, v.name(), v.version(), v.runId(), v.storageLocation());
    }
    m = RUN.matcher(u);
    if (m.matches()) {
      String path = Names.requireRelativePath(m.group(2), "artifact path");
      RunInfo run = registry.getRunInfo(m.group(1));
      String location = run.artifactUri() + "/" + path;
      if (path.isEmpty() || registry.listArtifacts(run.runId(), path).isEmpty()) {
        throw new NotFoundException("run " + run.runId() + " has no artifact '" + m.group(2) + "'");
      }
      return new ResolvedModel(uri, null, null, run.runId(), location);
    }
    throw new RegistryException("model URI '" + uri + "' is not one of name@alias, name/version, "
        + "models:/name@alias, models:/name/version or runs:/<run_id>/<artifact path>");
  }
}
