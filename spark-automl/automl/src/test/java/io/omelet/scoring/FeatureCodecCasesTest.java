package io.omelet.scoring;

import io.omelet.common.FeatureCodec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.automl.TestSupport;
import io.omelet.automl.engine.SparkToH2O;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import water.Key;
import water.fvec.Frame;
import water.fvec.Vec;

/**
 * One table of (value, feature type) cases, each given as a Spark column and as a JSON value,
 * run through every path a value takes: Spark columns (FeatureBinding, as omelet_predict,
 * MojoScorer and SHAP read them), JSON (the REST server), and H2O frames (SparkToH2O, as training
 * reads them). Each path gives the case's one expected result: a number, missing, a level, or a
 * refusal.
 */
class FeatureCodecCasesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The levels of the categorical feature in these cases. */
  static final String[] LEVELS = {"2.5", "3", "Adelie", "Gentoo", "false", "true"};
  static final double MISSING = Double.NaN;
  /** Marks a case every path must refuse (REST 422, SQL counted or strict error, schema error). */
  static final Object REFUSED = new Object() {
    @Override
    public String toString() {
      return "refused";
    }
  };

  record Case(boolean categorical, String sparkSql, String json, Object expected) {
    @Override
    public String toString() {
      return (categorical ? "categorical" : "numeric") + " <- " + sparkSql + " / " + json;
    }
  }

  static double ms(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  static double level(String name) {
    return List.of(LEVELS).indexOf(name);
  }

  static final List<Case> CASES = List.of(
      // numeric features
      new Case(false, "CAST(3 AS INT)", "3", 3.0),
      new Case(false, "CAST(3.5 AS DOUBLE)", "3.5", 3.5),
      new Case(false, "CAST(2.25 AS FLOAT)", "2.25", 2.25),
      new Case(false, "CAST(12.345 AS DECIMAL(10,3))", "12.345", 12.345),
      new Case(false, "CAST(9000000000 AS BIGINT)", "9000000000", 9e9),
      new Case(false, "CAST(-7 AS SMALLINT)", "-7", -7.0),
      new Case(false, "true", "true", 1.0),
      new Case(false, "false", "false", 0.0),
      new Case(false, "' 4.5 '", "\" 4.5 \"", 4.5),
      new Case(false, "'1e3'", "\"1e3\"", 1000.0),
      new Case(false, "''", "\"\"", MISSING),
      new Case(false, "'NaN'", "\"NaN\"", MISSING),
      new Case(false, "CAST(NULL AS DOUBLE)", "null", MISSING),
      new Case(false, "CAST(NULL AS STRING)", "null", MISSING),
      new Case(false, "'abc'", "\"abc\"", REFUSED),
      new Case(false, "'true'", "\"true\"", REFUSED),
      new Case(false, "'12,5'", "\"12,5\"", REFUSED),
      new Case(false, "DATE'2024-01-31'", "\"2024-01-31\"", ms("2024-01-31T00:00:00Z")),
      new Case(false, "TIMESTAMP_NTZ'2024-01-31 10:15:00'", "\"2024-01-31T10:15:00\"", ms("2024-01-31T10:15:00Z")),
      new Case(false, "TIMESTAMP'2024-01-31T10:15:00.250Z'", "\"2024-01-31 10:15:00.250Z\"",
          ms("2024-01-31T10:15:00.250Z")),
      new Case(false, "'2024-01-31T11:15:00+01:00'", "\"2024-01-31T11:15:00+01:00\"", ms("2024-01-31T10:15:00Z")),
      new Case(false, "'2024-01-31 10:15'", "\"2024-01-31 10:15\"", ms("2024-01-31T10:15:00Z")),
      new Case(false, "'2024-02-30'", "\"2024-02-30\"", REFUSED),
      new Case(false, "array(1.0)", "[1.0]", REFUSED),
      new Case(false, "named_struct('a', 1)", "{\"a\": 1}", REFUSED),
      // categorical features
      new Case(true, "'Adelie'", "\"Adelie\"", level("Adelie")),
      new Case(true, "'adelie'", "\"adelie\"", MISSING),
      new Case(true, "'Emperor'", "\"Emperor\"", MISSING),
      new Case(true, "CAST(NULL AS STRING)", "null", MISSING),
      new Case(true, "CAST(3 AS INT)", "3", level("3")),
      new Case(true, "CAST(3 AS BIGINT)", "3", level("3")),
      new Case(true, "CAST(3.0 AS DOUBLE)", "3.0", level("3")),
      new Case(true, "CAST(3.00 AS DECIMAL(5,2))", "3.00", level("3")),
      new Case(true, "CAST(2.5 AS DOUBLE)", "2.5", level("2.5")),
      new Case(true, "'3'", "\"3\"", level("3")),
      new Case(true, "true", "true", level("true")),
      new Case(true, "false", "false", level("false")),
      new Case(true, "array('Adelie')", "[\"Adelie\"]", REFUSED),
      new Case(true, "map('a', 'Adelie')", "{\"a\": \"Adelie\"}", REFUSED));

  static SparkSession spark;
  static Dataset<Row> table;
  static InternalRow row;

  @BeforeAll
  static void oneRowOfAllCases() {
    spark = TestSupport.spark();
    List<String> cols = new ArrayList<>();
    for (int i = 0; i < CASES.size(); i++) cols.add(CASES.get(i).sparkSql() + " AS c" + i);
    table = spark.sql("SELECT " + String.join(", ", cols));
    row = table.queryExecution().toRdd().toJavaRDD().collect().get(0).copy();
  }

  static FeatureCodec codec(String name, Case c) {
    return FeatureCodec.of(new String[] {name}, new String[][] {c.categorical() ? LEVELS : null});
  }

  /** The case's result on the Spark path: the value written, or REFUSED (schema error or a counted refusal). */
  static Object sparkResult(int i, CoercionPolicy policy) {
    Case c = CASES.get(i);
    FeatureBinding binding;
    try {
      binding = FeatureBinding.bind(table.schema(), codec("c" + i, c)).withPolicy(policy);
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("c" + i), e.getMessage());
      return REFUSED;
    }
    long before = policy.uncoerced();
    double[] out = new double[1];
    binding.fill(row, out);
    if (policy.uncoerced() > before) {
      assertTrue(Double.isNaN(out[0]), "a refused value is scored as missing");
      return REFUSED;
    }
    return out[0];
  }

  static Object jsonResult(int i) throws Exception {
    Case c = CASES.get(i);
    JsonNode v = JSON.readTree(c.json());
    try {
      return codec("v", c).fromJson(0, v);
    } catch (FeatureCodec.NotCoercible e) {
      return REFUSED;
    }
  }

  static void assertResult(Object expected, Object actual, String what) {
    if (expected == REFUSED || actual == REFUSED) {
      assertEquals(expected, actual, what);
    } else {
      assertEquals((double) expected, (double) actual, 0.0, what);
    }
  }

  @Test
  void sparkColumnsAndJsonGiveEachCaseItsOneResult() throws Exception {
    CoercionPolicy counted = CoercionPolicy.forQuery(spark, "cases");
    long refusedBySpark = 0;
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      Object spark = sparkResult(i, counted);
      assertResult(c.expected(), spark, "Spark path, " + c);
      assertResult(c.expected(), jsonResult(i), "JSON path, " + c);
      if (spark == REFUSED) refusedBySpark++;
    }
    assertTrue(refusedBySpark >= 4, "the table has refusals: " + refusedBySpark);
  }

  @Test
  void strictSparkScoringFailsNamingFeatureColumnAndValue() {
    spark.conf().set(CoercionPolicy.STRICT_CONF, "true");
    try {
      CoercionPolicy strict = CoercionPolicy.forQuery(spark, "omelet_predict('m')");
      int abc = CASES.indexOf(new Case(false, "'abc'", "\"abc\"", REFUSED));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sparkResult(abc, strict));
      assertTrue(e.getMessage().contains("omelet_predict('m'): feature c" + abc), e.getMessage());
      assertTrue(e.getMessage().contains("\"abc\" is not a number"), e.getMessage());
      assertTrue(e.getMessage().contains(CoercionPolicy.STRICT_CONF), e.getMessage());
      // a value that is coercible is not affected by strictness
      int ok = CASES.indexOf(new Case(false, "' 4.5 '", "\" 4.5 \"", 4.5));
      assertEquals(4.5, (double) sparkResult(ok, strict), 0.0);
    } finally {
      spark.conf().unset(CoercionPolicy.STRICT_CONF);
    }
  }

  /**
   * Training reads the same Spark types into H2O frames: a number, date or timestamp column holds
   * the codec's number, and a string or boolean column the level the codec names.
   */
  @Test
  void h2oFramesHoldWhatScoringReads() {
    TestSupport.h2o();
    List<Integer> trainable = new ArrayList<>();
    StructType schema = table.schema();
    for (int i = 0; i < CASES.size(); i++) {
      if (SparkToH2O.unsupportedColumns(new StructType().add(schema.fields()[i])).isEmpty()) trainable.add(i);
    }
    Dataset<Row> trainableTable = table.selectExpr(trainable.stream().map(i -> "c" + i).toArray(String[]::new));
    Frame frame = SparkToH2O.convert(trainableTable, Key.make("codec-cases"));
    try {
      int compared = 0;
      for (int i : trainable) {
        Case c = CASES.get(i);
        Vec v = frame.vec("c" + i);
        if (c.categorical() && v.isCategorical() && c.expected() instanceof Double d && !d.isNaN()) {
          // the frame's level text is the level the codec picks
          assertEquals(LEVELS[(int) (double) d], v.domain()[(int) v.at8(0)], "H2O path, " + c);
          compared++;
        } else if (!c.categorical() && (v.isNumeric() || v.isTime()) && !v.isCategorical()
            && c.expected() instanceof Double d) {
          if (d.isNaN()) assertTrue(v.isNA(0), "H2O path, " + c);
          else assertEquals(d, v.at(0), 0.0, "H2O path, " + c);
          compared++;
        }
      }
      assertTrue(compared >= 12, "cases compared with H2O: " + compared);
    } finally {
      frame.delete();
    }
  }
}
