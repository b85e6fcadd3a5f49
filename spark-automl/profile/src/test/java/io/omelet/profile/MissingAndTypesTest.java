package io.omelet.profile;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** Missing cells (credit_data, penguins' literal NA) and type detection beyond the Spark type. */
class MissingAndTypesTest {

  @Test
  void creditDataMissingCellsAndPatterns() {
    Dataset<Row> credit = TestSpark.csv("credit_data.csv").cache();
    Profile p = new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(credit);
    // every null count and every pair of null columns in one Spark aggregation
    String[] names = credit.columns();
    List<Column> aggs = new ArrayList<>();
    for (String a : names) {
      for (String b : names) {
        aggs.add(functions.sum(functions.when(functions.col(a).isNull().and(functions.col(b).isNull()), 1)
            .otherwise(0)));
      }
    }
    Row both = credit.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    long expectedCells = 0;
    for (int i = 0; i < names.length; i++) {
      long nulls = both.getLong(i * names.length + i);
      expectedCells += nulls;
      assertEquals(nulls, p.variable(names[i]).missing, names[i]);
      assertEquals(nulls, (long) p.missing.counts.get(names[i]), names[i]);
    }
    assertEquals(455, expectedCells, "data/README.md promises 455 missing cells");
    assertEquals(expectedCells, p.overview.missingCells);
    assertEquals(100.0 * 455 / (4454.0 * 14), p.overview.missingCellsPct, 1e-9);
    // which columns are missing together, against Spark
    List<String> all = Arrays.asList(names);
    String[] cols = p.missing.columns;
    assertTrue(cols.length >= 2);
    for (int a = 0; a < cols.length; a++) {
      for (int b = 0; b < cols.length; b++) {
        long expected = both.getLong(all.indexOf(cols[a]) * names.length + all.indexOf(cols[b]));
        assertEquals(expected, p.missing.together[a][b], cols[a] + " & " + cols[b]);
      }
    }
    long complete = credit.na().drop().count();
    assertEquals(complete, p.missing.completeRows);
    long patternRows = p.missing.patterns.stream().mapToLong(x -> x.count).sum();
    assertTrue(p.missing.patternsComplete);
    assertTrue(patternRows <= credit.count() - complete);
    assertFalse(p.alertsOf(AlertType.MISSING).isEmpty());
  }

  @Test
  void penguinsLiteralNaReadAsNull() {
    Dataset<Row> penguins = TestSpark.spark().read().option("header", "true").option("inferSchema", "true")
        .option("nullValue", "NA").csv(TestSpark.dataDir().resolve("penguins.csv").toString());
    Profile p = new DataProfiler().profile(penguins);
    VariableProfile bill = p.variable("bill_length_mm");
    assertEquals(VariableType.NUM, bill.type);
    assertEquals(2, bill.missing);
    assertEquals(11, p.variable("sex").missing);
    Row r = penguins.agg(functions.avg("bill_length_mm"), functions.stddev("bill_length_mm"),
        functions.expr("percentile(bill_length_mm, 0.5)")).first();
    assertEquals(r.getDouble(0), bill.mean, 1e-9);
    assertEquals(r.getDouble(1), bill.std, 1e-9);
    assertEquals(r.getDouble(2), bill.p50, 1e-9);
    // year holds three values: reported CAT although Spark reads an int
    VariableProfile year = p.variable("year");
    assertEquals("int", year.sparkType);
    assertEquals(VariableType.CAT, year.type);
    assertNotNull(year.typeReason);
    assertEquals(VariableType.CAT, p.variable("species").type);
    // without nullValue the NA makes the column text; the profiler sees it is not all numbers
    Dataset<Row> raw = TestSpark.spark().read().option("header", "true")
        .csv(TestSpark.dataDir().resolve("penguins.csv").toString());
    Profile rp = new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(raw);
    assertNotEquals(VariableType.NUM, rp.variable("bill_length_mm").type);
    assertEquals(VariableType.CAT, rp.variable("year").type, "strings of 3 numbers");
  }

  @Test
  void stringColumnOfNumbersIsNumeric() {
    Dataset<Row> typed = TestSpark.csv("lending_club.csv");
    Dataset<Row> strings = TestSpark.spark().read().option("header", "true")
        .csv(TestSpark.dataDir().resolve("lending_club.csv").toString());
    assertEquals("string", strings.schema().apply("int_rate").dataType().simpleString());
    Profile ps = new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(strings);
    Profile pt = new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(typed);
    for (String c : new String[] {"int_rate", "funded_amnt", "annual_inc", "revol_util"}) {
      VariableProfile s = ps.variable(c), t = pt.variable(c);
      assertEquals(VariableType.NUM, s.type, c);
      assertEquals("string", s.sparkType);
      assertEquals("strings that all parse as numbers", s.typeReason);
      assertEquals(t.mean, s.mean, 1e-9 * Math.abs(t.mean), c);
      assertEquals(t.p50, s.p50, 1e-9, c);
      assertEquals(t.distinct, s.distinct, c);
      assertEquals(t.missing, s.missing, c);
    }
    assertEquals(VariableType.CAT, ps.variable("term").type);
  }

  @Test
  void yesNoStringsAndTwoValuedIntegersAreBoolean() {
    Dataset<Row> churn = TestSpark.csv("mlc_churn.csv");
    Profile p = new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(churn);
    for (String c : new String[] {"international_plan", "voice_mail_plan", "churn"}) {
      assertEquals("string", p.variable(c).sparkType);
      assertEquals(VariableType.BOOL, p.variable(c).type, c);
    }
    // an integer column with two values: lending_club's Class recoded as 0/1
    Dataset<Row> lending = TestSpark.csv("lending_club.csv")
        .withColumn("bad", functions.when(functions.col("Class").equalTo("bad"), 1).otherwise(0));
    Profile lp = new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(lending);
    assertEquals(VariableType.BOOL, lp.variable("bad").type);
    assertEquals(VariableType.NUM, lp.variable("funded_amnt").type);
  }
}
