package io.omelet.inference;

import static io.omelet.inference.InferenceFixtures.AT;
import static io.omelet.inference.InferenceFixtures.JSON;
import static io.omelet.inference.InferenceFixtures.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A served row: refused at once (on the request's thread) when the table could not hold it, and a copy of what it was given. */
class InferenceRecordTest {

  @Test
  void itKeepsACopyOfTheInputAndProbabilitiesInTheModelsOrder() {
    ObjectNode in = input(41, "pro");
    Map<String, Double> p = new java.util.LinkedHashMap<>();
    p.put("yes", 0.75);
    p.put("no", 0.25);
    InferenceRecord r = InferenceRecord.scored("id", 0, AT, "churn", 3, "champion", in, "yes", p, 850);
    in.put("age", 7);
    p.put("maybe", 0.0);
    assertEquals(41, r.input().get("age").asInt());
    assertEquals(List.of("yes", "no"), List.copyOf(r.probabilities().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> r.probabilities().put("x", 1.0));
    assertEquals(200, r.status());
  }

  @Test
  void whatTheTableCannotHoldIsRefusedWithTheReason() {
    Map<String, Double> nullProbability = new HashMap<>();
    nullProbability.put("yes", null);
    IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
        () -> InferenceRecord.scored("id", 0, AT, "churn", 3, null, input(1, "pro"), "yes", nullProbability, 1));
    assertTrue(p.getMessage().contains("null for label 'yes'"), p.getMessage());
    IllegalArgumentException array = assertThrows(IllegalArgumentException.class,
        () -> InferenceRecord.scored("id", 0, AT, "churn", 3, null, JSON.createArrayNode(), "yes", null, 1));
    assertTrue(array.getMessage().contains("JSON object"), array.getMessage());
    IllegalArgumentException prediction = assertThrows(IllegalArgumentException.class,
        () -> InferenceRecord.scored("id", 0, AT, "churn", 3, null, null, List.of("yes"), null, 1));
    assertTrue(prediction.getMessage().contains("label (String) or a value (Number)"), prediction.getMessage());
    IllegalArgumentException status = assertThrows(IllegalArgumentException.class,
        () -> InferenceRecord.failed("id", null, AT, "churn", 3, null, null, 1, 42, "x"));
    assertTrue(status.getMessage().contains("not an HTTP status"), status.getMessage());
    assertThrows(NullPointerException.class,
        () -> InferenceRecord.failed(null, null, AT, "churn", 3, null, null, 1, 400, "x"));
  }
}
