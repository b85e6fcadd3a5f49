package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.automl.engine.EmbeddedH2OEngine;
import io.omelet.automl.engine.H2OEngine;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import water.Key;
import water.fvec.Frame;
import water.fvec.Vec;

class SparkToH2OTest {

  @Test
  void engineStartsOnceWithAUniqueLoopbackCloud() {
    EmbeddedH2OEngine engine = TestSupport.h2o();
    H2OEngine.EngineInfo info = engine.info();
    assertEquals(1, info.cloudSize());
    assertTrue(info.cloudName().startsWith("omelet-local-"), info.cloudName());
    assertTrue(info.selfAddress().startsWith("127.0.0.1:"), info.selfAddress());
    engine.start(); // idempotent
    assertEquals(info, engine.info());
  }

  @Test
  void keepsTypesNullsAndOddNames() {
    TestSupport.h2o();
    StructType schema = new StructType()
        .add("a.dotted", DataTypes.StringType)
        .add("with space", DataTypes.BooleanType)
        .add("n", DataTypes.IntegerType)
        .add("x", DataTypes.DoubleType)
        .add("big", DataTypes.LongType)
        .add("dec", DataTypes.createDecimalType(10, 2))
        .add("day", DataTypes.DateType)
        .add("ts", DataTypes.TimestampType);
    List<Row> rows = Arrays.asList(
        RowFactory.create("b", true, 1, 1.5, 10L, new BigDecimal("1.25"),
            Date.valueOf("2024-01-02"), new Timestamp(1_700_000_000_123L)),
        RowFactory.create(null, false, null, Double.NaN, 20L, null, null, null),
        RowFactory.create("a", null, 3, null, null, new BigDecimal("-3.50"),
            Date.valueOf("1970-01-01"), new Timestamp(0L)),
        RowFactory.create("b", true, 4, -2.0, 40L, new BigDecimal("0.00"),
            Date.valueOf("2000-02-29"), new Timestamp(86_400_000L)));
    Dataset<Row> df = TestSupport.spark().createDataFrame(rows, schema).repartition(3);
    Map<String, Row> byN = new java.util.HashMap<>();
    // repartition shuffles: find rows back by the long column
    Frame fr = TestSupport.h2o().toH2OFrame(df, Key.make("types_test"));
    try {
      assertEquals(4, fr.numRows());
      assertEquals(List.of(schema.fieldNames()), List.of(fr.names()));
      Vec cat = fr.vec("a.dotted");
      assertTrue(cat.isCategorical());
      assertEquals(List.of("a", "b"), List.of(cat.domain()));
      Vec bool = fr.vec("with space");
      assertTrue(bool.isCategorical());
      assertEquals(List.of("false", "true"), List.of(bool.domain()));
      assertTrue(fr.vec("n").isNumeric() && fr.vec("x").isNumeric() && fr.vec("dec").isNumeric());
      assertTrue(fr.vec("day").isTime());
      assertTrue(fr.vec("ts").isTime());
      assertEquals(1, cat.naCnt());
      assertEquals(1, bool.naCnt());
      assertEquals(1, fr.vec("n").naCnt());
      assertEquals(2, fr.vec("x").naCnt(), "null and NaN are both NA");
      for (long r = 0; r < fr.numRows(); r++) {
        double big = fr.vec("big").at(r);
        if (big == 10) {
          assertEquals("b", cat.domain()[(int) cat.at8(r)]);
          assertEquals("true", bool.domain()[(int) bool.at8(r)]);
          assertEquals(1.25, fr.vec("dec").at(r), 1e-12);
          assertEquals(Date.valueOf("2024-01-02").toLocalDate().toEpochDay() * 86_400_000L,
              fr.vec("day").at8(r));
          assertEquals(1_700_000_000_123L, fr.vec("ts").at8(r));
        } else if (big == 20) {
          assertTrue(cat.isNA(r));
          assertEquals("false", bool.domain()[(int) bool.at8(r)]);
          assertTrue(fr.vec("ts").isNA(r) && fr.vec("day").isNA(r) && fr.vec("dec").isNA(r));
        }
      }
      assertEquals(-3.5, fr.vec("dec").min(), 1e-12);
    } finally {
      fr.delete();
    }
  }

  @Test
  void realDataKeepsRowsAndLevels() {
    TestSupport.h2o();
    Dataset<Row> lc = TestSupport.csv("lending_club.csv");
    Frame fr = TestSupport.h2o().toH2OFrame(lc, Key.make("lc_test"));
    try {
      assertEquals(lc.count(), fr.numRows());
      assertEquals(lc.columns().length, fr.numCols());
      long states = lc.select("addr_state").distinct().count();
      assertEquals(states, fr.vec("addr_state").cardinality());
      assertTrue(fr.vec("int_rate").isNumeric());
      double sparkMean = lc.agg(org.apache.spark.sql.functions.avg("int_rate")).first().getDouble(0);
      assertEquals(sparkMean, fr.vec("int_rate").mean(), 1e-9);
    } finally {
      fr.delete();
    }
  }

  @Test
  void levelsSurviveRunsOfTheFirstLevel() {
    // a run of level 0 followed by other levels in one chunk (sorted data does this)
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) rows.add(RowFactory.create(i < 100 ? "a" : (i < 200 ? "b" : null), i));
    StructType schema = new StructType().add("k", DataTypes.StringType).add("i", DataTypes.IntegerType);
    Frame fr = TestSupport.h2o().toH2OFrame(
        TestSupport.spark().createDataFrame(rows, schema).coalesce(1), Key.make("runs_test"));
    try {
      Vec k = fr.vec("k");
      assertEquals(100, k.naCnt());
      assertEquals(List.of(100L, 100L), Arrays.stream(k.bins()).boxed().toList());
      assertEquals("b", k.domain()[(int) k.at8(150)]);
    } finally {
      fr.delete();
    }
  }

  @Test
  void rejectsNestedTypesNamingTheColumns() {
    StructType schema = new StructType()
        .add("ok", DataTypes.DoubleType)
        .add("tags", DataTypes.createArrayType(DataTypes.StringType))
        .add("attrs", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    Dataset<Row> df = TestSupport.spark().createDataFrame(List.of(), schema);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TestSupport.h2o().toH2OFrame(df, Key.make("bad_types")));
    assertTrue(e.getMessage().contains("tags (array<string>)"), e.getMessage());
    assertTrue(e.getMessage().contains("attrs (map<string,string>)"), e.getMessage());
  }
}
