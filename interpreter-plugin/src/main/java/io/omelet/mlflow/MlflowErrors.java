package io.omelet.mlflow;

import io.omelet.registry.AlreadyExistsException;
import io.omelet.registry.NotFoundException;
import io.omelet.registry.RegistryException;
import io.omelet.http.Handler;
import io.omelet.http.HttpError;
import io.omelet.http.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MLflow's error answers: an HTTP status and {@code {"error_code": ..., "message": ...}}, the codes
 * its clients turn into exceptions (RESOURCE_DOES_NOT_EXIST is 404, the parameter and
 * already-exists errors 400, as MLflow's server sends them).
 */
final class MlflowErrors {
  static final String INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE";
  static final String RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST";
  static final String RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS";
  static final String PERMISSION_DENIED = "PERMISSION_DENIED";
  static final String UNAUTHENTICATED = "UNAUTHENTICATED";
  static final String ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND";

  private MlflowErrors() {}

  /** Renders every error of the MLflow routes, those the server itself raises (404, 405, 413, 421) included. */
  static Response render(HttpError e) {
    String mlflowCode = switch (e.status()) {
      case 405 -> ENDPOINT_NOT_FOUND;
      case 413, 421 -> "BAD_REQUEST";
      case 500 -> "INTERNAL_ERROR";
      default -> e.code();
    };
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error_code", mlflowCode);
    m.put("message", e.getMessage());
    return Response.json(e.status(), m);
  }

  /** The registry's refusals as MLflow's errors; anything else stays a server error. */
  static Handler mapped(Handler handler) {
    return request -> {
      try {
        return handler.handle(request);
      } catch (NotFoundException e) {
        throw new HttpError(404, RESOURCE_DOES_NOT_EXIST, e.getMessage());
      } catch (AlreadyExistsException e) {
        throw new HttpError(400, RESOURCE_ALREADY_EXISTS, e.getMessage());
      } catch (RegistryException e) {
        throw new HttpError(400, INVALID_PARAMETER_VALUE, e.getMessage());
      }
    };
  }
}
