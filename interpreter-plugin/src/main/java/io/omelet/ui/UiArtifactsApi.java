package io.omelet.ui;

import static io.omelet.ui.UiLookups.found;
import static io.omelet.ui.UiLookups.requiredQuery;

import io.omelet.http.HttpError;
import io.omelet.http.HttpService;
import io.omelet.http.Request;
import io.omelet.http.Response;
import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegistryException;
import io.omelet.registry.RunInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's artifacts for the UI: folders listed and files served sandboxed, never outside the run's
 * artifact folder (no {@code ..}, no absolute paths, no symbolic links out of it).
 */
final class UiArtifactsApi {
  private final OmeletRegistry registry;

  UiArtifactsApi(OmeletRegistry registry) {
    this.registry = registry;
  }

  void mount(HttpService server) {
    server.route("GET", "/api/artifacts", r -> Response.json(artifacts(r)))
        .route("GET", "/api/artifact", this::artifact);
  }

  private List<Map<String, Object>> artifacts(Request r) {
    String id = requiredQuery(r, "run_id");
    String path = r.query("path", "");
    RunInfo info = found(() -> registry.getRunInfo(id), "run", id);
    confined(info, path);
    List<ArtifactInfo> list;
    try {
      list = registry.listArtifacts(id, path.isEmpty() ? null : path);
    } catch (RegistryException e) {
      throw HttpError.notFound("no artifact folder '" + path + "' in run " + id);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (ArtifactInfo a : list) {
      if (a.isDir() || confinedQuietly(info, a.path())) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", a.path());
        m.put("is_dir", a.isDir());
        m.put("file_size", a.fileSize());
        out.add(m);
      }
    }
    return out;
  }

  private Response artifact(Request r) {
    String id = requiredQuery(r, "run_id");
    String path = requiredQuery(r, "path");
    RunInfo info = found(() -> registry.getRunInfo(id), "run", id);
    confined(info, path);
    byte[] bytes;
    try {
      bytes = registry.readArtifact(id, path);
    } catch (RegistryException | java.io.UncheckedIOException e) {
      throw HttpError.notFound("no artifact '" + path + "' in run " + id);
    }
    String type = ArtifactTypes.contentType(path);
    Response resp = new Response(200, type, bytes, Map.of())
        // a user's HTML or SVG runs in a sandbox: no scripts, no same-origin access to this UI
        .withHeader("Content-Security-Policy", "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    String name = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    if ("1".equals(r.query("download"))) resp = resp.withHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
    return resp;
  }

  /** Refuses artifact paths that leave the run's folder, symbolic links included: 404, as for a missing file. */
  private static void confined(RunInfo info, String path) {
    if (!confinedQuietly(info, path)) throw HttpError.notFound("no artifact '" + path + "' in run " + info.runId());
  }

  private static boolean confinedQuietly(RunInfo info, String path) {
    if (path == null || path.isEmpty()) return true;
    if (path.startsWith("/") || path.startsWith("\\") || path.contains("\0") || path.contains(":")) return false;
    for (String part : path.split("[/\\\\]")) if (part.equals("..")) return false;
    URI root = URI.create(info.artifactUri());
    if (!"file".equals(root.getScheme())) return true; // HDFS, S3: no symbolic links to follow out
    try {
      Path base = Path.of(root).toRealPath();
      Path target = Path.of(root).resolve(path);
      if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return true; // the registry says 404
      return target.toRealPath().startsWith(base);
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }
}
