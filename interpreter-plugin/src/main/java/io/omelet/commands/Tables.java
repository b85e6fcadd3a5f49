package io.omelet.commands;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.collection.Seq;

/** Table results from DataFrames and lists, cut to what a front end shows. */
public final class Tables {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private Tables() {}

  /**
   * The first {@code maxRows} rows of {@code df}; when there are more, one more job counts them so
   * the front end can say how many were cut.
   */
  public static CommandResult.Table of(String title, Dataset<Row> df, int maxRows) {
    return of(title, df, maxRows, -1);
  }

  /** As {@link #of(String, Dataset, int)}, with the row count already known (-1: count if cut). */
  public static CommandResult.Table of(String title, Dataset<Row> df, int maxRows, long knownTotal) {
    int limit = Math.max(0, maxRows);
    List<Row> rows = df.limit(limit == Integer.MAX_VALUE ? limit : limit + 1).collectAsList();
    long total = rows.size();
    if (rows.size() > limit) {
      rows = rows.subList(0, limit);
      total = knownTotal >= 0 ? knownTotal : df.count();
    }
    List<List<Object>> out = new ArrayList<>();
    for (Row r : rows) {
      List<Object> cells = new ArrayList<>(r.size());
      for (int i = 0; i < r.size(); i++) cells.add(cell(r.get(i)));
      out.add(cells);
    }
    return new CommandResult.Table(title, Arrays.asList(df.columns()), out, total);
  }

  /** Rows built in Java, cut to {@code maxRows}. */
  public static CommandResult.Table of(String title, List<String> columns, List<List<Object>> rows, int maxRows) {
    List<List<Object>> shown = rows.size() > maxRows ? rows.subList(0, maxRows) : rows;
    return new CommandResult.Table(title, columns, new ArrayList<>(shown), rows.size());
  }

  /** A cell as front ends show it: numbers stay numbers, vectors and arrays become lists. */
  static Object cell(Object v) {
    if (v == null) return null;
    if (v instanceof Vector vec) return Arrays.stream(vec.toArray()).boxed().toList();
    if (v instanceof Seq<?> seq) {
      List<Object> l = new ArrayList<>();
      scala.collection.Iterator<?> it = seq.iterator();
      while (it.hasNext()) l.add(cell(it.next()));
      return l;
    }
    if (v instanceof scala.collection.Map<?, ?> m) {
      java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
      scala.collection.Iterator<? extends scala.Tuple2<?, ?>> it = m.iterator();
      while (it.hasNext()) {
        scala.Tuple2<?, ?> t = it.next();
        out.put(String.valueOf(t._1()), cell(t._2()));
      }
      return out;
    }
    if (v instanceof Row r) {
      List<Object> l = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) l.add(cell(r.get(i)));
      return l;
    }
    if (v instanceof Timestamp t) return TIME.format(t.toInstant());
    return v;
  }

  /** Epoch milliseconds as local date and time; null stays null. */
  public static String time(Long epochMs) {
    return epochMs == null ? null : TIME.format(Instant.ofEpochMilli(epochMs));
  }
}
