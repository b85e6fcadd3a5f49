package io.omelet.inference;

import static io.omelet.inference.InferenceFixtures.CHURN;
import static io.omelet.inference.InferenceFixtures.newRoot;
import static io.omelet.inference.InferenceFixtures.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.common.FeatureCodec;
import io.omelet.registry.RegistryException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** A model's inference table: its columns from the model's signature, created once, refused when it does not fit. */
class InferenceTableTest {

  @Test
  void aClassifiersColumnsAreTheFixedOnesThenOnePerFeatureThenItsOutcome() {
    StructType s = InferenceSchema.of(CHURN, true).struct();
    assertEquals(List.of("request_id", "row_index", "timestamp", "model_name", "model_version", "model_alias",
        "age", "plan", "annual inc", "feature_status",
        "extra_features", "prediction", "probabilities", "latency_us", "status", "error", "sample_fraction", "label"),
        Arrays.asList(s.fieldNames()));
    assertType(s, "age", DataTypes.DoubleType);
    assertType(s, "annual inc", DataTypes.DoubleType);
    assertType(s, "plan", DataTypes.StringType);
    assertType(s, "feature_status", DataTypes.StringType);
    assertType(s, "timestamp", DataTypes.TimestampType);
    assertType(s, "model_version", DataTypes.IntegerType);
    assertType(s, "prediction", DataTypes.StringType);
    assertType(s, "label", DataTypes.StringType);
    assertType(s, "probabilities", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false));
    assertType(s, "latency_us", DataTypes.LongType);
    assertType(s, "status", DataTypes.IntegerType);
    assertType(s, "sample_fraction", DataTypes.DoubleType);
    assertFalse(s.apply("request_id").nullable());
    assertTrue(s.apply("model_alias").nullable());
  }

  @Test
  void aRegressionModelsPredictionAndLabelAreDoubles() {
    StructType s = InferenceSchema.of(CHURN, false).struct();
    assertType(s, "prediction", DataTypes.DoubleType);
    assertType(s, "label", DataTypes.DoubleType);
    // kept so that every inference table has the same fixed columns; always null for regression
    assertTrue(Arrays.asList(s.fieldNames()).contains("probabilities"));
  }

  @Test
  void featuresWhoseNamesAreTakenIgnoringCaseGetAPrefix() {
    FeatureCodec codec = FeatureCodec.of(new String[] {"Error", "x", "X"}, new String[][] {null, null, null});
    InferenceSchema s = InferenceSchema.of(codec, true);
    assertEquals("feature_Error", s.featureColumn(0));
    assertEquals("x", s.featureColumn(1));
    assertEquals("feature_X", s.featureColumn(2));
  }

  @Test
  void theTableIsCreatedUnderTheRootAndReopenedAsItIs() {
    String root = newRoot();
    InferenceTable created = InferenceTable.open(spark(), root, "churn", CHURN, true);
    assertTrue(created.path().endsWith("/inference/churn"), created.path());
    assertTrue(Files.isDirectory(Path.of(root, "inference", "churn", "_delta_log")));
    assertEquals(0, spark().sql("SELECT * FROM delta.`" + created.path() + "`").count());
    assertEquals(Arrays.asList(created.schema().struct().fieldNames()), Arrays.asList(created.read().schema().fieldNames()));

    java.util.Map<String, String> properties = new java.util.HashMap<>();
    spark().sql("SHOW TBLPROPERTIES delta.`" + created.path() + "`").collectAsList()
        .forEach(r -> properties.put(r.getString(0), r.getString(1)));
    assertEquals("name", properties.get("delta.columnMapping.mode"));
    assertEquals("interval 7 days", properties.get("delta.setTransactionRetentionDuration"));

    InferenceTable reopened = InferenceTable.open(spark(), root, "churn", CHURN, true);
    assertEquals(created.path(), reopened.path());
    assertEquals(1, history(created), "reopening the same signature commits nothing");
  }

  @Test
  void aVersionWithANewFeatureAddsItsColumn() {
    String root = newRoot();
    InferenceTable v1 = InferenceTable.open(spark(), root, "churn", CHURN, true);
    FeatureCodec v2 = FeatureCodec.of(new String[] {"age", "plan", "tenure, months"}, new String[][] {null, {"basic", "pro"}, null});
    InferenceTable.open(spark(), root, "churn", v2, true);
    StructType s = v1.read().schema();
    assertType(s, "tenure, months", DataTypes.DoubleType);
    // the first version's features stay
    assertType(s, "annual inc", DataTypes.DoubleType);
  }

  @Test
  void anExistingTableOfAnotherKindOfModelIsAClearErrorNamingTheColumn() {
    String root = newRoot();
    InferenceTable.open(spark(), root, "churn", CHURN, true);
    RegistryException regression = assertThrows(RegistryException.class,
        () -> InferenceTable.open(spark(), root, "churn", CHURN, false));
    assertTrue(regression.getMessage().contains("column 'prediction' is string there but the model writes double")
        && regression.getMessage().contains("made for a classifier"), regression.getMessage());

    FeatureCodec ageAsLevels = FeatureCodec.of(new String[] {"age"}, new String[][] {{"young", "old"}});
    RegistryException feature = assertThrows(RegistryException.class,
        () -> InferenceTable.open(spark(), root, "churn", ageAsLevels, true));
    assertTrue(feature.getMessage().contains("column 'age' is double there but the model writes string"),
        feature.getMessage());
  }

  @Test
  void aDeltaTableThatIsNotAnInferenceTableIsRefused() {
    String root = newRoot();
    String path = InferenceTable.location(root, "churn");
    spark().range(3).write().format("delta").save(path);
    RegistryException e = assertThrows(RegistryException.class, () -> InferenceTable.open(spark(), root, "churn", CHURN, true));
    assertTrue(e.getMessage().contains("is not an inference table: it has no column 'request_id'"), e.getMessage());
  }

  @Test
  void aRootThatCannotBeWrittenIsAClearErrorAtOpenNamingThePath() throws IOException {
    Path root = Path.of(newRoot());
    Files.writeString(root.resolve("inference"), "a file where the folder should be");
    RegistryException e = assertThrows(RegistryException.class,
        () -> InferenceTable.open(spark(), root.toString(), "churn", CHURN, true));
    assertTrue(e.getMessage().startsWith("cannot write inference tables under ")
        && e.getMessage().contains(root.resolve("inference").toString()), e.getMessage());

    Path fileRoot = Files.writeString(root.resolve("not-a-folder"), "x");
    RegistryException underFile = assertThrows(RegistryException.class,
        () -> InferenceTable.open(spark(), fileRoot.toString(), "churn", CHURN, true));
    assertTrue(underFile.getMessage().contains(fileRoot.resolve("inference").toString()), underFile.getMessage());
  }

  @Test
  void aModelNameThatCannotBeAFolderIsRefused() {
    assertThrows(RegistryException.class, () -> InferenceTable.open(spark(), newRoot(), "../churn", CHURN, true));
  }

  private static long history(InferenceTable t) {
    return spark().sql("DESCRIBE HISTORY delta.`" + t.path() + "`").count();
  }

  private static void assertType(StructType s, String column, DataType type) {
    StructField f = s.apply(column);
    assertEquals(type, f.dataType(), column);
  }
}
