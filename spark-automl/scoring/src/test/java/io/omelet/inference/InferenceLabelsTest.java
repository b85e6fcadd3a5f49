package io.omelet.inference;

import static io.omelet.inference.InferenceFixtures.AT;
import static io.omelet.inference.InferenceFixtures.CHURN;
import static io.omelet.inference.InferenceFixtures.input;
import static io.omelet.inference.InferenceFixtures.newRoot;
import static io.omelet.inference.InferenceFixtures.probabilities;
import static io.omelet.inference.InferenceFixtures.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.RegistryException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Late labels merged into real inference tables (written by the log writer) with Delta's MERGE:
 * the figures, idempotent re-runs, replaced labels said, and every bad input refused before
 * anything is written.
 */
class InferenceLabelsTest {
  private static final StructType ID_LABEL = schema("request_id", DataTypes.StringType, "label", DataTypes.StringType);

  /** A churn classifier's table: single-row requests r1..r4 and one batch request b1 of three rows. */
  private static String classifierRoot() {
    String root = newRoot();
    InferenceTable table = InferenceTable.open(spark(), root, "churn", CHURN, true);
    try (InferenceLogWriter w = InferenceLogWriter.start(table, InferenceLogConfig.defaults())) {
      for (String id : List.of("r1", "r2", "r3", "r4")) w.offer(scored(id, 0, "yes"));
      for (int row = 0; row < 3; row++) w.offer(scored("b1", row, "no"));
    }
    return root;
  }

  private static InferenceRecord scored(String id, int row, String prediction) {
    return InferenceRecord.scored(id, row, AT, "churn", 3, "champion", input(41, "pro"), prediction,
        probabilities(prediction.equals("yes") ? 0.8 : 0.2), 850);
  }

  @Test
  void labelsAreMergedByRequestIdAndUnknownIdsAreCountedAndNamed() {
    String root = classifierRoot();
    LabelMerge m = InferenceLabels.merge(spark(), root, "churn", labels(ID_LABEL,
        row("r1", "yes"), row("r2", "no"), row("b1", "yes"), row("x9", "yes"), row("x8", "no"), row("r3", null),
        row(null, "no")), "request_id", "label");

    assertEquals(7, m.labelsRead());
    assertEquals(1, m.nullLabels());
    assertEquals(1, m.nullIds());
    assertEquals(3, m.matchedLabels());
    assertEquals(3, m.newLabels());
    assertEquals(0, m.replacedLabels());
    assertEquals(0, m.unchangedLabels());
    assertEquals(2, m.unknownIds());
    assertEquals(List.of("x8", "x9"), m.unknownIdExamples());
    assertEquals(5, m.rowsMatched(), "r1, r2 and the three rows of b1");
    assertEquals(5, m.rowsUpdated());
    assertTrue(m.changed());
    assertEquals(version(m.table()), m.version());
    assertTrue(m.summary().startsWith("3 of 7 labels matched 5 rows: 3 new, 0 replaced an earlier label, 0 unchanged;"
        + " 5 rows updated; 2 labels for ids not in the table: x8, x9; ignored: 1 without an id, 1 without a label"),
        m.summary());

    Map<String, String> labels = labelsById(m.table());
    assertEquals("yes", labels.get("r1/0"));
    assertEquals("no", labels.get("r2/0"));
    assertNull(labels.get("r3/0"), "a null label is ignored");
    assertNull(labels.get("r4/0"));
    for (int row = 0; row < 3; row++) assertEquals("yes", labels.get("b1/" + row), "a label applies to every row of its request");
  }

  @Test
  void aReRunChangesNothingAndASecondDifferentLabelReplacesTheFirstAndSaysSo() {
    String root = classifierRoot();
    Dataset<Row> first = labels(ID_LABEL, row("r1", "yes"), row("r2", "no"), row("b1", "yes"));
    LabelMerge once = InferenceLabels.merge(spark(), root, "churn", first, "request_id", "label");
    Map<String, String> after = labelsById(once.table());

    LabelMerge again = InferenceLabels.merge(spark(), root, "churn", first, "request_id", "label");
    assertEquals(3, again.matchedLabels());
    assertEquals(3, again.unchangedLabels());
    assertEquals(0, again.newLabels());
    assertEquals(0, again.replacedLabels());
    assertEquals(0, again.rowsUpdated());
    assertFalse(again.changed());
    assertEquals(once.version(), again.version(), "a re-run commits nothing");
    assertEquals(once.version(), version(once.table()));
    assertEquals(after, labelsById(once.table()));

    LabelMerge corrected = InferenceLabels.merge(spark(), root, "churn",
        labels(ID_LABEL, row("r1", "no"), row("r2", "no"), row("r4", "yes")), "request_id", "label");
    assertEquals(1, corrected.replacedLabels());
    assertEquals(List.of("r1: yes -> no"), corrected.replacedExamples());
    assertEquals(1, corrected.unchangedLabels());
    assertEquals(1, corrected.newLabels());
    assertEquals(2, corrected.rowsUpdated());
    assertEquals(once.version() + 1, corrected.version(), "one MERGE, one commit");
    assertTrue(corrected.summary().contains("1 replaced an earlier label") && corrected.summary().contains("replaced: r1: yes -> no"),
        corrected.summary());
    Map<String, String> labels = labelsById(corrected.table());
    assertEquals("no", labels.get("r1/0"));
    assertEquals("yes", labels.get("r4/0"));
    assertEquals("MERGE", spark().sql("DESCRIBE HISTORY delta.`" + corrected.table() + "`").first().getAs("operation"));
  }

  @Test
  void withARowColumnALabelGoesToOneRowOfItsRequest() {
    String root = classifierRoot();
    StructType s = new StructType().add("id", DataTypes.StringType).add("row", DataTypes.LongType)
        .add("truth", DataTypes.StringType);
    LabelMerge m = InferenceLabels.merge(spark(), root, "churn",
        labels(s, row("b1", 0L, "yes"), row("b1", 2L, "no"), row("b1", 7L, "no"), row("r1", 0L, "yes")),
        "id", "truth", "row");
    assertEquals(3, m.matchedLabels());
    assertEquals(1, m.unknownIds(), "b1 has no row 7");
    assertEquals(3, m.rowsUpdated());
    Map<String, String> labels = labelsById(m.table());
    assertEquals("yes", labels.get("b1/0"));
    assertNull(labels.get("b1/1"));
    assertEquals("no", labels.get("b1/2"));
    assertEquals("yes", labels.get("r1/0"));
  }

  @Test
  void wholeNumberIdsAndLabelsAreReadAsText() {
    String root = newRoot();
    InferenceTable table = InferenceTable.open(spark(), root, "churn", CHURN, true);
    try (InferenceLogWriter w = InferenceLogWriter.start(table, InferenceLogConfig.defaults())) {
      w.offer(InferenceRecord.scored("42", 0, AT, "churn", 3, null, input(41, "pro"), "1", Map.of("0", 0.3, "1", 0.7), 850));
    }
    StructType s = schema("request_id", DataTypes.LongType, "label", DataTypes.IntegerType);
    LabelMerge m = InferenceLabels.merge(spark(), root, "churn", labels(s, row(42L, 0), row(43L, 1)), "REQUEST_ID", "Label");
    assertEquals(1, m.matchedLabels());
    assertEquals(List.of("43"), m.unknownIdExamples());
    assertEquals("0", labelsById(m.table()).get("42/0"));
  }

  @Test
  void badLabelsAreOneLineNamingTheColumnAndNothingIsMerged() {
    String root = classifierRoot();
    String path = InferenceTable.location(InferenceTable.qualify(spark(), root), "churn");
    long before = version(path);

    refused(path, "the labels have no id column 'request_id'; their columns: id, label",
        () -> InferenceLabels.merge(spark(), root, "churn",
            labels(schema("id", DataTypes.StringType, "label", DataTypes.StringType), row("r1", "yes")), "request_id", "label"));
    refused(path, "the labels have no label column 'churned'; their columns: request_id, label",
        () -> InferenceLabels.merge(spark(), root, "churn", labels(ID_LABEL, row("r1", "yes")), "request_id", "churned"));
    refused(path, "id column 'request_id' is double: request ids are text",
        () -> InferenceLabels.merge(spark(), root, "churn",
            labels(schema("request_id", DataTypes.DoubleType, "label", DataTypes.StringType), row(1.5, "yes")), "request_id", "label"));
    refused(path, "id column 'request_id' is array<string>",
        () -> InferenceLabels.merge(spark(), root, "churn",
            labels(schema("request_id", DataTypes.createArrayType(DataTypes.StringType), "label", DataTypes.StringType),
                row(List.of("r1"), "yes")), "request_id", "label"));
    refused(path, "label column 'label' is double but model 'churn' is a classifier",
        () -> InferenceLabels.merge(spark(), root, "churn",
            labels(schema("request_id", DataTypes.StringType, "label", DataTypes.DoubleType), row("r1", 1.0)), "request_id", "label"));
    refused(path, "label 'maybe' is not a class of model 'churn'; its classes: no, yes; nothing merged",
        () -> InferenceLabels.merge(spark(), root, "churn",
            labels(ID_LABEL, row("r1", "yes"), row("r2", "maybe")), "request_id", "label"));
    refused(path, "2 labels are not classes of model 'churn' ('Yes', 'maybe'); its classes: no, yes",
        () -> InferenceLabels.merge(spark(), root, "churn",
            labels(ID_LABEL, row("r1", "Yes"), row("r2", "maybe"), row("r3", "maybe")), "request_id", "label"));
    refused(path, "the labels give request id 'r2' 2 labels: give one label per request id; nothing merged",
        () -> InferenceLabels.merge(spark(), root, "churn",
            labels(ID_LABEL, row("r1", "yes"), row("r2", "yes"), row("r2", "no")), "request_id", "label"));
    refused(path, "row column 'row' is string",
        () -> InferenceLabels.merge(spark(), root, "churn",
            labels(new StructType().add("request_id", DataTypes.StringType).add("row", DataTypes.StringType)
                .add("label", DataTypes.StringType), row("r1", "0", "yes")), "request_id", "label", "row"));
    assertEquals(before, version(path));
    assertTrue(labelsById(path).values().stream().allMatch(java.util.Objects::isNull), "no label written");
  }

  @Test
  void aModelWithoutAnInferenceTableIsAClearError() {
    String root = newRoot();
    RegistryException e = assertThrows(RegistryException.class, () -> InferenceLabels.merge(spark(), root, "churn",
        labels(ID_LABEL, row("r1", "yes")), "request_id", "label"));
    assertTrue(e.getMessage().startsWith("no inference table for model 'churn' at file:")
        && e.getMessage().endsWith("/inference/churn: serve the model with inference logging first"), e.getMessage());
  }

  @Test
  void aRegressionModelsLabelsAreNumbers() {
    String root = newRoot();
    InferenceTable table = InferenceTable.open(spark(), root, "price", CHURN, false);
    try (InferenceLogWriter w = InferenceLogWriter.start(table, InferenceLogConfig.defaults())) {
      for (String id : List.of("p1", "p2", "p3")) {
        w.offer(InferenceRecord.scored(id, 0, AT, "price", 1, null, input(41, "pro"), 12.5, null, 900));
      }
    }
    StructType ints = schema("request_id", DataTypes.StringType, "price", DataTypes.IntegerType);
    LabelMerge m = InferenceLabels.merge(spark(), root, "price",
        labels(ints, row("p1", 13), row("p2", 11), row("p9", 10)), "request_id", "price");
    assertEquals(2, m.matchedLabels());
    assertEquals(1, m.unknownIds());
    StructType doubles = schema("request_id", DataTypes.StringType, "price", DataTypes.DoubleType);
    LabelMerge fix = InferenceLabels.merge(spark(), root, "price",
        labels(doubles, row("p1", 13.0), row("p2", 11.25), row("p3", Double.NaN)), "request_id", "price");
    assertEquals(1, fix.unchangedLabels());
    assertEquals(1, fix.replacedLabels());
    assertEquals(List.of("p2: 11.0 -> 11.25"), fix.replacedExamples());
    assertEquals(1, fix.nullLabels(), "NaN is no label");
    Map<String, Double> labels = new HashMap<>();
    for (Row r : spark().read().format("delta").load(m.table()).select("request_id", "label").collectAsList()) {
      labels.put(r.getString(0), r.isNullAt(1) ? null : r.getDouble(1));
    }
    assertEquals(13.0, labels.get("p1"));
    assertEquals(11.25, labels.get("p2"));
    assertNull(labels.get("p3"));

    long before = version(m.table());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InferenceLabels.merge(spark(), root,
        "price", labels(ID_LABEL, row("p1", "high")), "request_id", "label"));
    assertEquals("label column 'label' is string but model 'price' is a regression model: its labels are numbers",
        e.getMessage());
    assertEquals(before, version(m.table()));
  }

  // ------------------------------------------------------------ helpers

  private static void refused(String path, String message, Executable merge) {
    long before = version(path);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, merge);
    assertTrue(e.getMessage().startsWith(message) || e.getMessage().contains(message), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertEquals(before, version(path), "nothing merged: " + message);
  }

  /** {@code request_id/row_index} to label. */
  private static Map<String, String> labelsById(String path) {
    Map<String, String> m = new HashMap<>();
    for (Row r : spark().read().format("delta").load(path).select("request_id", "row_index", "label").collectAsList()) {
      m.put(r.getString(0) + "/" + r.getInt(1), r.getString(2));
    }
    return m;
  }

  private static long version(String path) {
    return spark().sql("DESCRIBE HISTORY delta.`" + path + "`").first().getLong(0);
  }

  private static Row row(Object... values) {
    return RowFactory.create(values);
  }

  private static Dataset<Row> labels(StructType schema, Row... rows) {
    return spark().createDataFrame(new ArrayList<>(Arrays.asList(rows)), schema);
  }

  private static StructType schema(String a, DataType ta, String b, DataType tb) {
    return new StructType(new StructField[] {DataTypes.createStructField(a, ta, true), DataTypes.createStructField(b, tb, true)});
  }
}
