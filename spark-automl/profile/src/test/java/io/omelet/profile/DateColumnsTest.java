package io.omelet.profile;

import static org.junit.jupiter.api.Assertions.*;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** DATE columns (timestamps and dates) of the flights data: min, max, histogram, distinct. */
class DateColumnsTest {

  @Test
  void flightTimesAndDays() {
    Dataset<Row> flights = TestSpark.spark().read()
        .parquet(TestSpark.dataDir().resolve("flights-3m.parquet").toString())
        .limit(30_000)
        .withColumn("day", functions.to_date(functions.col("date")))
        .cache();
    Profile p = new DataProfiler().profile(flights);
    Row r = flights.agg(functions.min("date"), functions.max("date"), functions.countDistinct("date"),
        functions.min("day"), functions.max("day"), functions.countDistinct("day")).first();

    VariableProfile ts = p.variable("date");
    assertEquals(VariableType.DATE, ts.type);
    assertEquals(r.get(0).toString(), ts.minDate);
    assertEquals(r.get(1).toString(), ts.maxDate);
    long tsDistinct = r.getLong(2);
    if (ts.distinctExact) assertEquals(tsDistinct, (long) ts.distinct);
    else assertEquals(tsDistinct, ts.distinct, 0.03 * tsDistinct);
    assertEquals(flights.count(), ts.histogram.total());

    VariableProfile day = p.variable("day");
    assertEquals(VariableType.DATE, day.type);
    assertEquals(r.get(3).toString(), day.minDate);
    assertEquals(r.get(4).toString(), day.maxDate);
    assertEquals(r.getLong(5), (long) day.distinct);
    assertTrue(day.distinctExact);
    assertEquals(flights.count(), day.histogram.total());
    Row topDay = flights.groupBy("day").count().orderBy(functions.desc("count"), functions.asc("day")).first();
    assertEquals(topDay.get(0).toString(), day.topValues.get(0).value);
    assertEquals(topDay.getLong(1), day.topValues.get(0).count);
    assertTrue(p.toHtml().contains(day.minDate));

    assertEquals(VariableType.NUM, p.variable("delay").type);
    assertEquals(VariableType.CAT, p.variable("origin").type);
  }
}
