package io.omelet.scoring;

import io.omelet.http.HttpError;
import io.omelet.inference.InferenceLog;
import io.omelet.inference.InferenceRecord;
import io.omelet.registry.ResolvedModel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code POST /predict} request leaves behind: one inference-table row per row it carried
 * (when the server logs inferences) and, for a failed request, one line in the server's log with
 * the request id, the status and the fields at fault, never their values (the log is read by
 * more people than the table).
 */
final class PredictionLog {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionLog.class);

  /** The inference log, or null when the server does not keep one. */
  private final InferenceLog inferences;

  PredictionLog(InferenceLog inferences) {
    this.inferences = inferences;
  }

  InferenceLog inferences() {
    return inferences;
  }

  /** Rows {@code nodes} scored as {@code scores} (h2o-genmodel's arrays: label index, then probabilities). */
  void scored(String requestId, Instant at, ServedModel model, List<JsonNode> nodes, double[][] scores, long micros) {
    if (inferences == null) return;
    ResolvedModel r = model.loaded.resolved();
    for (int i = 0; i < nodes.size(); i++) {
      double[] p = scores[i];
      Object prediction;
      Map<String, Double> probabilities = null;
      if (model.classifier) {
        prediction = model.labels[(int) p[0]];
        probabilities = new LinkedHashMap<>(model.labels.length * 2);
        for (int c = 0; c < model.labels.length; c++) probabilities.put(model.labels[c], p[1 + c]);
      } else {
        prediction = p[0];
      }
      inferences.offer(InferenceRecord.scored(requestId, i, at, r.name(), r.version(), r.alias(), nodes.get(i),
          prediction, probabilities, micros));
    }
  }

  /**
   * A request answered with {@code error}: logged in the server's log, and one table row per row
   * of the body ({@code nodes}; one row with no input when the body had none to read).
   */
  void failed(String requestId, Instant at, ServedModel model, List<JsonNode> nodes, long micros, HttpError error) {
    Object fields = error.details().get("fields");
    Object row = error.details().get("row");
    LOG.info("request {} failed: {} {}{}{}", requestId, error.status(), error.code(),
        row == null ? "" : " row " + row, fields == null ? "" : " fields " + fields);
    if (inferences == null) return;
    ResolvedModel r = model.loaded.resolved();
    String why = error.getMessage();
    if (nodes == null || nodes.isEmpty()) {
      inferences.offer(InferenceRecord.failed(requestId, null, at, r.name(), r.version(), r.alias(), null, micros,
          error.status(), why));
      return;
    }
    for (int i = 0; i < nodes.size(); i++) {
      JsonNode n = nodes.get(i);
      inferences.offer(InferenceRecord.failed(requestId, i, at, r.name(), r.version(), r.alias(),
          n != null && n.isObject() ? n : null, micros, error.status(), why));
    }
  }
}
