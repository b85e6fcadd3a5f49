package io.omelet.ui;

import io.omelet.http.HttpError;
import io.omelet.http.Request;
import io.omelet.registry.RegistryException;
import io.omelet.registry.ViewType;
import java.util.Objects;
import java.util.function.Supplier;

/** What every part of the UI's JSON API reads the same way: views, required parameters, lookups that 404. */
final class UiLookups {
  private UiLookups() {}

  static ViewType viewType(String v) {
    if (v == null || v.isBlank() || v.equalsIgnoreCase("active")) return ViewType.ACTIVE_ONLY;
    if (v.equalsIgnoreCase("deleted")) return ViewType.DELETED_ONLY;
    if (v.equalsIgnoreCase("all")) return ViewType.ALL;
    throw HttpError.badRequest("view must be active, deleted or all, got '" + v + "'");
  }

  static String requiredQuery(Request r, String name) {
    String v = r.query(name);
    if (v == null || v.isBlank()) throw HttpError.badRequest(name + " is required");
    return v;
  }

  /** The thing, or a 404 that names it. */
  static <T> T found(Supplier<T> get, String what, String id) {
    T t;
    try {
      t = get.get();
    } catch (RegistryException e) {
      // not found, or an id no run, experiment or model could have: either way there is none
      throw HttpError.notFound("no " + what + " '" + id + "'");
    }
    if (t == null) throw HttpError.notFound("no " + what + " '" + id + "'");
    return Objects.requireNonNull(t);
  }

  /** JSON has no NaN or infinities: those go out as strings, as MLflow's UI shows them. */
  static Object finite(double v) {
    return Double.isFinite(v) ? (Object) v : Double.toString(v);
  }
}
