package io.omelet.inference;

import io.omelet.common.FeatureCodec;
import io.omelet.testing.SharedSpark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The inference tests' model signatures and rows, and the shared local session. */
final class InferenceFixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  /** A churn-like signature: numeric and categorical features, one with a space, one named like a fixed column. */
  static final FeatureCodec CHURN = FeatureCodec.of(
      new String[] {"age", "plan", "annual inc", "status"},
      new String[][] {null, {"basic", "pro"}, null, {"active", "closed"}});
  static final Instant AT = Instant.parse("2026-12-07T10:15:30.123456Z");

  private InferenceFixtures() {}

  static SparkSession spark() {
    return SharedSpark.session();
  }

  static String newRoot() {
    return SharedSpark.tempDir("inference-root").toString();
  }

  static ObjectNode input(int age, String plan) {
    ObjectNode row = JSON.createObjectNode();
    row.put("age", age);
    row.put("plan", plan);
    row.put("annual inc", 52000.5);
    row.put("status", "active");
    return row;
  }

  static Map<String, Double> probabilities(double yes) {
    Map<String, Double> p = new LinkedHashMap<>();
    p.put("no", 1 - yes);
    p.put("yes", yes);
    return p;
  }

  /** A scored row of a churn classifier, request {@code id}. */
  static InferenceRecord scored(String id) {
    return InferenceRecord.scored(id, 0, AT, "churn", 3, "champion", input(41, "pro"), "yes", probabilities(0.75), 850);
  }
}
