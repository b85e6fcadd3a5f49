package io.omelet.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One served row as the inference table keeps it: what the server knows when it answers. The
 * writer turns it into a table row on its own thread, so the request pays only for this value.
 *
 * @param requestId the request's id ({@link RequestIds}); every row of a request shares it
 * @param rowIndex the row's position in the request (0 for a single-row body); null when the
 *     request had no readable rows (bad JSON, an empty body)
 * @param timestamp when the request was received
 * @param modelName the registered model's name
 * @param modelVersion the version that scored (or would have scored) the row; null for a run artifact
 * @param modelAlias the alias the version was resolved through ({@code champion}); null when served
 *     by name and version
 * @param input the row's JSON object as the client sent it (a private copy is kept); null when none
 * @param prediction the label (a String) for a classifier, the value (a Number) for regression;
 *     null when the row was not scored
 * @param probabilities label to probability for a classifier; null otherwise
 * @param latencyMicros time from receiving the request to having its answer
 * @param status the HTTP status answered (200, 422...)
 * @param error what was wrong with a failed request (for a 422, the field), null on success
 */
public record InferenceRecord(String requestId, Integer rowIndex, Instant timestamp, String modelName,
    Integer modelVersion, String modelAlias, JsonNode input, Object prediction, Map<String, Double> probabilities,
    long latencyMicros, int status, String error) {

  public InferenceRecord {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(modelName, "modelName");
    if (input != null && !input.isObject()) {
      throw new IllegalArgumentException("input must be a JSON object (one row), got " + input.getNodeType());
    }
    if (prediction != null && !(prediction instanceof String) && !(prediction instanceof Number)) {
      throw new IllegalArgumentException("prediction must be a label (String) or a value (Number), got "
          + prediction.getClass().getName());
    }
    if (status < 100 || status > 599) throw new IllegalArgumentException("status " + status + " is not an HTTP status");
    input = input == null ? null : input.deepCopy();
    if (probabilities != null) {
      // checked here, on the caller's thread: a null would fail the writer's whole batch, not this row
      probabilities.forEach((label, p) -> {
        if (label == null || p == null) {
          throw new IllegalArgumentException("probabilities hold a null " + (label == null ? "label" : "for label '" + label + "'"));
        }
      });
      // a LinkedHashMap keeps the labels in the model's order (Map.copyOf would not)
      probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
    }
  }

  /** A row the model scored (status 200). */
  public static InferenceRecord scored(String requestId, int rowIndex, Instant timestamp, String modelName,
      Integer modelVersion, String modelAlias, JsonNode input, Object prediction, Map<String, Double> probabilities,
      long latencyMicros) {
    return new InferenceRecord(requestId, rowIndex, timestamp, modelName, modelVersion, modelAlias, input,
        prediction, probabilities, latencyMicros, 200, null);
  }

  /** A row of a request that failed with {@code status} (e.g. 422 with the field that failed). */
  public static InferenceRecord failed(String requestId, Integer rowIndex, Instant timestamp, String modelName,
      Integer modelVersion, String modelAlias, JsonNode input, long latencyMicros, int status, String error) {
    return new InferenceRecord(requestId, rowIndex, timestamp, modelName, modelVersion, modelAlias, input,
        null, null, latencyMicros, status, error);
  }
}
