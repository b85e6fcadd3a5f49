package io.omelet.profile;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Iterator;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Profiles a DataFrame the way ydata-profiling profiles a pandas frame, as Spark jobs: one scan
 * folds every column into small mergeable accumulators (exact value counts up to a limit, then
 * HLL, KLL and frequent-items sketches); the full mode adds duplicate rows (64-bit row hashes
 * taken in that scan, shuffled as long arrays) and correlations on a bounded uniform random
 * sample drawn in that same scan. Rows are duplicates when their binary forms are equal (so
 * -0.0 and 0.0 differ); a false duplicate needs a 64-bit hash collision (about n^2 / 2^65). Cache the input first
 * when it is expensive to recompute.
 */
public final class DataProfiler {
  ProfileMode mode = ProfileMode.FULL;
  int exactDistinctLimit = 10_000;
  int topK = 10;
  int histogramBins = 20;
  int correlationSampleRows = 20_000;
  int maxCorrelationColumns = 100;
  int sampleRows = 10;
  int lowCategoricalThreshold = 5;
  double textUniqueRatio = 0.5;
  int kllK = 400;
  int hllLgK = 14;
  int frequentItemsMapSize = 4096;
  int maxMissingPatterns = 1000;
  long seed = 42L;
  final AlertThresholds alerts = new AlertThresholds();

  public DataProfiler setMode(ProfileMode v) { mode = v; return this; }
  public ProfileMode getMode() { return mode; }
  /** Distinct counts (and quantiles, histograms, top values) are exact up to this many distinct values per column. */
  public DataProfiler setExactDistinctLimit(int v) { exactDistinctLimit = positive("exactDistinctLimit", v); return this; }
  public int getExactDistinctLimit() { return exactDistinctLimit; }
  public DataProfiler setTopK(int v) { topK = positive("topK", v); return this; }
  public int getTopK() { return topK; }
  public DataProfiler setHistogramBins(int v) { histogramBins = positive("histogramBins", v); return this; }
  public int getHistogramBins() { return histogramBins; }
  /** Correlations use every row up to this many, a uniform random sample of this size beyond. */
  public DataProfiler setCorrelationSampleRows(int v) { correlationSampleRows = positive("correlationSampleRows", v); return this; }
  public int getCorrelationSampleRows() { return correlationSampleRows; }
  public DataProfiler setMaxCorrelationColumns(int v) { maxCorrelationColumns = positive("maxCorrelationColumns", v); return this; }
  public int getMaxCorrelationColumns() { return maxCorrelationColumns; }
  /** Rows shown in the head and the random sample. */
  public DataProfiler setSampleRows(int v) { sampleRows = nonNegative("sampleRows", v); return this; }
  public int getSampleRows() { return sampleRows; }
  /** A numeric column with 3 up to this many distinct values is reported CAT. */
  public DataProfiler setLowCategoricalThreshold(int v) { lowCategoricalThreshold = nonNegative("lowCategoricalThreshold", v); return this; }
  public int getLowCategoricalThreshold() { return lowCategoricalThreshold; }
  /** A string column whose distinct/count ratio exceeds this (and has many values) is TEXT, not CAT. */
  public DataProfiler setTextUniqueRatio(double v) { textUniqueRatio = v; return this; }
  public DataProfiler setKllK(int v) { kllK = positive("kllK", v); return this; }
  public DataProfiler setHllLgK(int v) { hllLgK = v; return this; }
  public DataProfiler setSeed(long v) { seed = v; return this; }
  public long getSeed() { return seed; }
  /** Alert thresholds, changed in place. */
  public AlertThresholds alertThresholds() { return alerts; }

  private static int positive(String name, int v) {
    if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    return v;
  }

  private static int nonNegative(String name, int v) {
    if (v < 0) throw new IllegalArgumentException(name + " must be zero or more, got " + v);
    return v;
  }

  ProfileSettings settings() {
    ProfileSettings s = new ProfileSettings();
    s.exactDistinctLimit = exactDistinctLimit;
    s.kllK = kllK;
    s.hllLgK = hllLgK;
    s.frequentItemsMapSize = frequentItemsMapSize;
    s.headRows = sampleRows;
    s.sampleRows = mode == ProfileMode.FULL ? Math.max(sampleRows, correlationSampleRows) : sampleRows;
    s.maxMissingPatterns = maxMissingPatterns;
    s.seed = seed;
    return s;
  }

  /** Profiles {@code df}: one scan, plus a duplicate count in FULL mode. */
  public Profile profile(Dataset<Row> df) {
    long t0 = System.nanoTime();
    StructType schema = df.schema();
    ProfileSettings s = settings();
    ScanResult result = scan(df, s, mode == ProfileMode.FULL);
    PartitionScan all = result.all();

    Profile p = new Profile();
    p.overview.rows = all.rows;
    p.overview.columns = schema.size();
    p.overview.mode = mode.name().toLowerCase(Locale.ROOT);
    p.overview.estimatedSizeBytes = estimatedSize(df);
    VariableSummarizer summarizer = new VariableSummarizer(this);
    Map<VariableType, Integer> types = new EnumMap<>(VariableType.class);
    for (VariableType t : VariableType.values()) types.put(t, 0);
    long missingCells = 0;
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      VariableProfile v = summarizer.summarize(fields[i], all.columns[i], all.rows);
      p.variables.add(v);
      types.merge(v.type, 1, Integer::sum);
      missingCells += v.missing;
    }
    p.overview.types = types;
    p.overview.missingCells = missingCells;
    long cells = all.rows * fields.length;
    p.overview.missingCellsPct = cells == 0 ? 0 : 100.0 * missingCells / cells;
    p.missing = MissingSummary.of(fields, all);
    p.samples = samples(schema, all);

    List<Row> corrRows = null;
    if (mode == ProfileMode.FULL) {
      long dups = result.duplicateRows();
      p.overview.duplicateRows = dups;
      p.overview.duplicateRowsPct = all.rows == 0 ? 0.0 : 100.0 * dups / all.rows;
      corrRows = toRows(schema, all.sample);
      p.correlations = new CorrelationCalculator(maxCorrelationColumns, histogramBins)
          .compute(p.variables, corrRows, all.rows);
    }
    p.alerts = AlertRules.evaluate(p, alerts);
    p.overview.seconds = (System.nanoTime() - t0) / 1e9;
    return p;
  }

  /**
   * The scan. In FULL mode each partition also hashes its rows into buckets; the buckets (plain
   * long arrays) are shuffled so that equal hashes meet, which counts duplicate rows for the price
   * of 8 bytes a row instead of a hash aggregation over whole rows.
   */
  static ScanResult scan(Dataset<Row> df, ProfileSettings s, boolean duplicates) {
    StructType schema = df.schema();
    JavaRDD<InternalRow> rdd = df.queryExecution().toRdd().toJavaRDD();
    int buckets = duplicates ? Math.max(1, rdd.getNumPartitions()) : 0;
    JavaPairRDD<Integer, Object> out = rdd.mapPartitionsWithIndex((idx, it) -> {
      PartitionScan ps = PartitionScan.run(idx, it, schema, s, buckets);
      List<Tuple2<Integer, Object>> items = new ArrayList<>();
      if (ps.hashBuckets != null) {
        for (int b = 0; b < ps.hashBuckets.length; b++) items.add(new Tuple2<>(b, ps.hashBuckets[b].toArray()));
        ps.hashBuckets = null;
      }
      items.add(new Tuple2<>(-1, ps));
      return items.iterator();
    }, false).mapToPair(t -> t);
    if (duplicates) out = out.persist(StorageLevel.MEMORY_ONLY());
    try {
      List<Object> parts = out.filter(t -> t._1() < 0).values().collect();
      PartitionScan all = new PartitionScan(schema, s, -1);
      for (Object part : parts) all.merge((PartitionScan) part, s.sampleRows, s.headRows, s.maxMissingPatterns);
      Long dups = null;
      if (duplicates) {
        dups = out.filter(t -> t._1() >= 0)
            .partitionBy(new HashPartitioner(buckets))
            .mapPartitions(it -> {
              Iterator<long[]> arrays = new Iterator<>() {
                public boolean hasNext() { return it.hasNext(); }
                public long[] next() { return (long[]) it.next()._2(); }
              };
              return Collections.singletonList(PartitionScan.duplicates(arrays)).iterator();
            })
            .fold(0L, Long::sum);
      }
      return new ScanResult(all, dups);
    } finally {
      if (duplicates) out.unpersist(false);
    }
  }

  record ScanResult(PartitionScan all, Long duplicateRows) {}

  private static long estimatedSize(Dataset<Row> df) {
    try {
      return df.queryExecution().optimizedPlan().stats().sizeInBytes().longValue();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static List<Row> toRows(StructType schema, List<PartitionScan.Keyed> keyed) {
    scala.Function1<Object, Object> conv = CatalystTypeConverters.createToScalaConverter(schema);
    List<Row> rows = new ArrayList<>(keyed.size());
    for (PartitionScan.Keyed k : keyed) rows.add((Row) conv.apply(k.row));
    return rows;
  }

  private Samples samples(StructType schema, PartitionScan all) {
    Samples s = new Samples();
    for (StructField f : schema.fields()) s.columns.add(f.name());
    scala.Function1<Object, Object> conv = CatalystTypeConverters.createToScalaConverter(schema);
    for (InternalRow r : all.head) s.head.add(asText((Row) conv.apply(r)));
    int n = Math.min(sampleRows, all.sample.size());
    for (int i = 0; i < n; i++) s.random.add(asText((Row) conv.apply(all.sample.get(i).row)));
    return s;
  }

  private static List<String> asText(Row r) {
    List<String> out = new ArrayList<>(r.size());
    for (int i = 0; i < r.size(); i++) out.add(r.isNullAt(i) ? null : String.valueOf(r.get(i)));
    return out;
  }

  static String formatDate(double value, boolean days) {
    long v = (long) value;
    if (days) return LocalDate.ofEpochDay(v).toString();
    return Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1000L)
        .atOffset(ZoneOffset.UTC).toLocalDateTime().toString();
  }

  static final Set<String> BOOLEAN_WORDS = Set.of("true", "false", "yes", "no", "y", "n", "t", "f", "0", "1");
}
