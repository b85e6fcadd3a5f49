package io.omelet.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP failure with its status, a machine code (MLflow's names: RESOURCE_DOES_NOT_EXIST,
 * INVALID_PARAMETER_VALUE, ...) and a message for people; optionally headers for the answer
 * ({@code Allow}, {@code Retry-After}) and details the JSON error carries beside the message.
 * Handlers throw it; the path's {@link ErrorRenderer} turns it into the answer.
 */
public class HttpError extends RuntimeException {
  private final int status;
  private final String code;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private final Map<String, Object> details = new LinkedHashMap<>();

  public HttpError(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public static HttpError badRequest(String message) {
    return new HttpError(400, "INVALID_PARAMETER_VALUE", message);
  }

  public static HttpError notFound(String message) {
    return new HttpError(404, "RESOURCE_DOES_NOT_EXIST", message);
  }

  static HttpError tooLarge(long maxBodyBytes) {
    return new HttpError(413, "REQUEST_TOO_LARGE", "the request body is larger than " + maxBodyBytes + " bytes");
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Adds a header to the error's answer. */
  public HttpError withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** Adds a field (a string, number or list) to the JSON error beside the message. */
  public HttpError withDetail(String name, Object value) {
    details.put(name, value);
    return this;
  }

  public Map<String, String> headers() {
    return Collections.unmodifiableMap(headers);
  }

  public Map<String, Object> details() {
    return Collections.unmodifiableMap(details);
  }
}
