package io.omelet.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.http.Handler;
import io.omelet.http.HttpError;
import io.omelet.http.HttpService;
import io.omelet.http.Response;
import io.omelet.http.Route;
import io.omelet.registry.OmeletRegistry;
import io.omelet.ui.BearerToken;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * MLflow's REST API 2.0 on Omelet's Delta registry: the tracking calls ({@link MlflowTracking}),
 * the model registry ({@link MlflowModels}) and the artifact proxy ({@link MlflowArtifacts}),
 * mounted on the {@code omelet ui} server under {@code /api/2.0/mlflow/} and
 * {@code /ajax-api/2.0/mlflow/}, so MLflow's clients ({@code MLFLOW_TRACKING_URI}) log into the
 * same tables as Omelet's AutoML, search and UI.
 *
 * <p>Access: reads are open on loopback; every call that changes something needs writes allowed
 * (PERMISSION_DENIED otherwise); when the server has a bearer token, every call needs it
 * (UNAUTHENTICATED otherwise), as MLflow's clients send it from {@code MLFLOW_TRACKING_TOKEN}.
 */
public final class MlflowApi {
  static final String[] API_PREFIXES = {"/api/2.0/mlflow", "/ajax-api/2.0/mlflow"};
  static final String[] ARTIFACT_PREFIXES = {"/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"};
  /** Bound on JSON calls: a log-batch at MLflow's limits is well under a megabyte. */
  public static final long MAX_JSON_BYTES = 8L << 20;
  /** Bound on one artifact upload, which is held in memory while written. */
  public static final long MAX_ARTIFACT_BYTES = 256L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  final OmeletRegistry registry;
  final boolean writes;
  private final HttpService server;
  private final BearerToken token;

  private MlflowApi(HttpService server, OmeletRegistry registry, boolean writes, BearerToken token) {
    this.server = server;
    this.registry = registry;
    this.writes = writes;
    this.token = token;
  }

  /**
   * Adds MLflow's routes to {@code server}; writes are refused unless {@code writes}; with a
   * {@code token} (null: none), every call must carry it.
   */
  public static void mount(HttpService server, OmeletRegistry registry, boolean writes, BearerToken token) {
    MlflowApi api = new MlflowApi(server, registry, writes, token);
    for (String prefix : API_PREFIXES) server.errorsUnder(prefix + "/", MlflowErrors::render);
    for (String prefix : ARTIFACT_PREFIXES) server.errorsUnder(prefix + "/", MlflowErrors::render);
    new MlflowTracking(api).mount();
    new MlflowModels(api).mount();
    new MlflowArtifacts(api).mount();
  }

  /** A read-only call at {@code path} under each API prefix. */
  void read(String method, String path, Handler handler) {
    for (String prefix : API_PREFIXES) {
      server.route(Route.of(method, prefix + path, guarded(handler, false)).withMaxBodyBytes(MAX_JSON_BYTES));
    }
  }

  /** A call that changes the registry. */
  void write(String method, String path, Handler handler) {
    for (String prefix : API_PREFIXES) {
      server.route(Route.of(method, prefix + path, guarded(handler, true)).withMaxBodyBytes(MAX_JSON_BYTES));
    }
  }

  /** An artifact proxy route ({@code /api/2.0/mlflow-artifacts/artifacts...}). */
  void artifacts(String method, String path, Handler handler, boolean changes, long maxBody) {
    for (String prefix : ARTIFACT_PREFIXES) {
      server.route(Route.of(method, prefix + path, guarded(handler, changes)).withMaxBodyBytes(maxBody));
    }
  }

  private Handler guarded(Handler handler, boolean changes) {
    Handler mapped = MlflowErrors.mapped(handler);
    return request -> {
      if (token != null && !token.carriedBy(request)) {
        throw new HttpError(401, MlflowErrors.UNAUTHENTICATED,
            "this server needs its token: send 'Authorization: Bearer <token>' (MLflow's clients send MLFLOW_TRACKING_TOKEN)");
      }
      if (changes && !writes) {
        throw new HttpError(403, MlflowErrors.PERMISSION_DENIED,
            "this server is read-only: start it with --allow-writes to log through MLflow's API");
      }
      return mapped.handle(request);
    };
  }

  static Response ok(Map<String, ?> body) {
    return Response.json(body);
  }

  static Response empty() {
    return Response.json(Map.of());
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- offset page tokens

  /**
   * One page of a list paged by position: {@code field} holds up to {@code max} items from the
   * token's offset, rendered; {@code next_page_token} is set while more remain.
   */
  static <T> Map<String, Object> page(List<T> all, String token, String query, int max, String field,
      Function<T, Object> render) {
    int from = Math.min(offset(token, query), all.size());
    int to = (int) Math.min(all.size(), (long) from + max);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(field, all.subList(from, to).stream().map(render).toList());
    if (to < all.size()) out.put("next_page_token", pageToken(to, query));
    return out;
  }

  /** A page token for lists paged by position (experiments, models, versions), bound to its query. */
  static String pageToken(int offset, String query) {
    String raw = offset + ":" + Integer.toHexString(query.hashCode());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static int offset(String token, String query) {
    if (token == null || token.isEmpty()) return 0;
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int colon = raw.indexOf(':');
      if (colon > 0 && raw.substring(colon + 1).equals(Integer.toHexString(query.hashCode()))) {
        int offset = Integer.parseInt(raw.substring(0, colon));
        if (offset >= 0) return offset;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw MlflowRequest.invalid("Invalid page token '" + token + "': give the next_page_token of the same search");
  }
}
