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
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.JavaParams;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.execution.columnar.InMemoryRelation;
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
 * -0.0 and 0.0 differ); a false duplicate needs a 64-bit hash collision (about n^2 / 2^65).
 * Configured through typed Spark ML Params, saved and loaded like any Spark ML stage
 * ({@code write().save(path)}, {@link #load}). Cache the input first when it is expensive to
 * recompute.
 *
 * <p>About 400 lines because it declares its 22 Params with a getter and setter each, as Spark ML
 * stages do; the work is in {@link PartitionScan} and the accumulators.
 */
public final class DataProfiler extends JavaParams implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private final String uid;

  public DataProfiler() {
    this(Identifiable$.MODULE$.randomUID("dataProfiler"));
  }

  public DataProfiler(String uid) {
    this.uid = uid;
    mode = new Param<>(this, "mode",
        "sections to compute: univariate (one scan) or full (adds correlations and duplicate rows)",
        ParamValidators.inArray(new String[] {"univariate", "full"}));
    exactDistinctLimit = new IntParam(this, "exactDistinctLimit",
        "distinct counts, quantiles, histograms and top values are exact up to this many distinct values a column",
        ParamValidators.gt(0));
    topK = new IntParam(this, "topK", "top values listed per column", ParamValidators.gt(0));
    histogramBins = new IntParam(this, "histogramBins", "equal-width histogram bins",
        ParamValidators.gt(0));
    correlationSampleRows = new IntParam(this, "correlationSampleRows",
        "correlations use every row up to this many, a uniform random sample of this size beyond", ParamValidators.gt(1));
    maxCorrelationColumns = new IntParam(this, "maxCorrelationColumns",
        "numeric (and categorical) columns taken into the correlation matrices, in table order", ParamValidators.gt(1));
    sampleRows = new IntParam(this, "sampleRows", "rows in the head and in the random sample",
        ParamValidators.gtEq(0));
    lowCategoricalThreshold = new IntParam(this, "lowCategoricalThreshold",
        "a numeric column with 3 up to this many distinct values is reported CAT", ParamValidators.gtEq(0));
    textUniqueRatio = new DoubleParam(this, "textUniqueRatio",
        "a string column with more distinct values than highCardinalityAlert and a larger distinct/count ratio is TEXT",
        ParamValidators.inRange(0, 1));
    kllK = new IntParam(this, "kllK", "KLL quantile sketch size (rank error about 1.3/k^0.9)",
        ParamValidators.inRange(8, 65535));
    hllLgK = new IntParam(this, "hllLgK", "log2 of the HLL register count (14: about 0.8% error)",
        ParamValidators.inRange(4, 21));
    frequentItemsMapSize = new IntParam(this, "frequentItemsMapSize",
        "frequent-items sketch map size, a power of two (count error at most 3.5/size of the rows)",
        ParamValidators.inRange(16, 1 << 26));
    maxMissingPatterns = new IntParam(this, "maxMissingPatterns",
        "distinct patterns of missing columns tracked", ParamValidators.gt(0));
    seed = new LongParam(this, "seed", "random seed of the sample");
    missingAlertPct = new DoubleParam(this, "missingAlertPct",
        "MISSING when more than this percentage of a column is missing", ParamValidators.inRange(0, 100));
    zerosAlertPct = new DoubleParam(this, "zerosAlertPct",
        "ZEROS when at least this percentage of a numeric column is zero", ParamValidators.inRange(0, 100));
    skewnessAlert = new DoubleParam(this, "skewnessAlert",
        "SKEWED when |skewness| exceeds this", ParamValidators.gtEq(0));
    highCardinalityAlert = new IntParam(this, "highCardinalityAlert",
        "HIGH_CARDINALITY when a categorical column has more distinct values than this", ParamValidators.gt(0));
    imbalanceAlert = new DoubleParam(this, "imbalanceAlert",
        "IMBALANCE when 1 - entropy/log(distinct) exceeds this", ParamValidators.inRange(0, 1));
    correlationAlert = new DoubleParam(this, "correlationAlert",
        "HIGH_CORRELATION when a coefficient's absolute value reaches this", ParamValidators.inRange(0, 1));
    uniformAlertPValue = new DoubleParam(this, "uniformAlertPValue",
        "UNIFORM when the chi-square test against uniform has a p-value above this", ParamValidators.inRange(0, 1));
    duplicatesAlertPct = new DoubleParam(this, "duplicatesAlertPct",
        "DUPLICATES when duplicate rows exceed this percentage", ParamValidators.inRange(0, 100));
    setDefault(mode, "full");
    setDefault(exactDistinctLimit, 10_000);
    setDefault(topK, 10);
    setDefault(histogramBins, 20);
    setDefault(correlationSampleRows, 20_000);
    setDefault(maxCorrelationColumns, 100);
    setDefault(sampleRows, 10);
    setDefault(lowCategoricalThreshold, 5);
    setDefault(textUniqueRatio, 0.5);
    setDefault(kllK, 400);
    setDefault(hllLgK, 14);
    setDefault(frequentItemsMapSize, 4096);
    setDefault(maxMissingPatterns, 1000);
    setDefault(seed, 42L);
    AlertThresholds d = new AlertThresholds();
    setDefault(missingAlertPct, d.missingPct);
    setDefault(zerosAlertPct, d.zerosPct);
    setDefault(skewnessAlert, d.skewness);
    setDefault(highCardinalityAlert, (int) d.highCardinality);
    setDefault(imbalanceAlert, d.imbalance);
    setDefault(correlationAlert, d.correlation);
    setDefault(uniformAlertPValue, d.uniformPValue);
    setDefault(duplicatesAlertPct, d.duplicatesPct);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public DataProfiler copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static DataProfiler load(String path) {
    return (DataProfiler) new DefaultParamsReader<DataProfiler>().load(path);
  }

  // ---- what to compute
  private final Param<String> mode;
  private final IntParam exactDistinctLimit;
  private final IntParam topK;
  private final IntParam histogramBins;
  private final IntParam correlationSampleRows;
  private final IntParam maxCorrelationColumns;
  private final IntParam sampleRows;
  private final IntParam lowCategoricalThreshold;
  private final DoubleParam textUniqueRatio;
  private final IntParam kllK;
  private final IntParam hllLgK;
  private final IntParam frequentItemsMapSize;
  private final IntParam maxMissingPatterns;
  private final LongParam seed;

  // ---- alert thresholds (ydata-profiling's defaults where it has one)
  private final DoubleParam missingAlertPct;
  private final DoubleParam zerosAlertPct;
  private final DoubleParam skewnessAlert;
  private final IntParam highCardinalityAlert;
  private final DoubleParam imbalanceAlert;
  private final DoubleParam correlationAlert;
  private final DoubleParam uniformAlertPValue;
  private final DoubleParam duplicatesAlertPct;

  public Param<String> mode() { return mode; }
  public IntParam exactDistinctLimit() { return exactDistinctLimit; }
  public IntParam topK() { return topK; }
  public IntParam histogramBins() { return histogramBins; }
  public IntParam correlationSampleRows() { return correlationSampleRows; }
  public IntParam maxCorrelationColumns() { return maxCorrelationColumns; }
  public IntParam sampleRows() { return sampleRows; }
  public IntParam lowCategoricalThreshold() { return lowCategoricalThreshold; }
  public DoubleParam textUniqueRatio() { return textUniqueRatio; }
  public IntParam kllK() { return kllK; }
  public IntParam hllLgK() { return hllLgK; }
  public IntParam frequentItemsMapSize() { return frequentItemsMapSize; }
  public IntParam maxMissingPatterns() { return maxMissingPatterns; }
  public LongParam seed() { return seed; }
  public DoubleParam missingAlertPct() { return missingAlertPct; }
  public DoubleParam zerosAlertPct() { return zerosAlertPct; }
  public DoubleParam skewnessAlert() { return skewnessAlert; }
  public IntParam highCardinalityAlert() { return highCardinalityAlert; }
  public DoubleParam imbalanceAlert() { return imbalanceAlert; }
  public DoubleParam correlationAlert() { return correlationAlert; }
  public DoubleParam uniformAlertPValue() { return uniformAlertPValue; }
  public DoubleParam duplicatesAlertPct() { return duplicatesAlertPct; }

  public DataProfiler setMode(ProfileMode v) { set(mode, v.name().toLowerCase(Locale.ROOT)); return this; }
  public ProfileMode getMode() { return ProfileMode.valueOf($(mode).toUpperCase(Locale.ROOT)); }
  public DataProfiler setExactDistinctLimit(int v) { set(exactDistinctLimit, v); return this; }
  public int getExactDistinctLimit() { return (Integer) $(exactDistinctLimit); }
  public DataProfiler setTopK(int v) { set(topK, v); return this; }
  public int getTopK() { return (Integer) $(topK); }
  public DataProfiler setHistogramBins(int v) { set(histogramBins, v); return this; }
  public int getHistogramBins() { return (Integer) $(histogramBins); }
  public DataProfiler setCorrelationSampleRows(int v) { set(correlationSampleRows, v); return this; }
  public int getCorrelationSampleRows() { return (Integer) $(correlationSampleRows); }
  public DataProfiler setMaxCorrelationColumns(int v) { set(maxCorrelationColumns, v); return this; }
  public int getMaxCorrelationColumns() { return (Integer) $(maxCorrelationColumns); }
  public DataProfiler setSampleRows(int v) { set(sampleRows, v); return this; }
  public int getSampleRows() { return (Integer) $(sampleRows); }
  public DataProfiler setLowCategoricalThreshold(int v) { set(lowCategoricalThreshold, v); return this; }
  public int getLowCategoricalThreshold() { return (Integer) $(lowCategoricalThreshold); }
  public DataProfiler setTextUniqueRatio(double v) { set(textUniqueRatio, v); return this; }
  public double getTextUniqueRatio() { return (Double) $(textUniqueRatio); }
  public DataProfiler setKllK(int v) { set(kllK, v); return this; }
  public int getKllK() { return (Integer) $(kllK); }
  public DataProfiler setHllLgK(int v) { set(hllLgK, v); return this; }
  public int getHllLgK() { return (Integer) $(hllLgK); }
  public DataProfiler setFrequentItemsMapSize(int v) { set(frequentItemsMapSize, v); return this; }
  public int getFrequentItemsMapSize() { return (Integer) $(frequentItemsMapSize); }
  public DataProfiler setMaxMissingPatterns(int v) { set(maxMissingPatterns, v); return this; }
  public int getMaxMissingPatterns() { return (Integer) $(maxMissingPatterns); }
  public DataProfiler setSeed(long v) { set(seed, v); return this; }
  public long getSeed() { return (Long) $(seed); }
  public DataProfiler setMissingAlertPct(double v) { set(missingAlertPct, v); return this; }
  public DataProfiler setZerosAlertPct(double v) { set(zerosAlertPct, v); return this; }
  public DataProfiler setSkewnessAlert(double v) { set(skewnessAlert, v); return this; }
  public DataProfiler setHighCardinalityAlert(int v) { set(highCardinalityAlert, v); return this; }
  public int getHighCardinalityAlert() { return (Integer) $(highCardinalityAlert); }
  public DataProfiler setImbalanceAlert(double v) { set(imbalanceAlert, v); return this; }
  public DataProfiler setCorrelationAlert(double v) { set(correlationAlert, v); return this; }
  public DataProfiler setUniformAlertPValue(double v) { set(uniformAlertPValue, v); return this; }
  public DataProfiler setDuplicatesAlertPct(double v) { set(duplicatesAlertPct, v); return this; }

  /** The alert thresholds as currently set. */
  public AlertThresholds getAlertThresholds() {
    AlertThresholds t = new AlertThresholds();
    t.missingPct = (Double) $(missingAlertPct);
    t.zerosPct = (Double) $(zerosAlertPct);
    t.skewness = (Double) $(skewnessAlert);
    t.highCardinality = (Integer) $(highCardinalityAlert);
    t.imbalance = (Double) $(imbalanceAlert);
    t.correlation = (Double) $(correlationAlert);
    t.uniformPValue = (Double) $(uniformAlertPValue);
    t.duplicatesPct = (Double) $(duplicatesAlertPct);
    return t;
  }

  ProfileSettings settings() {
    ProfileSettings s = new ProfileSettings();
    s.exactDistinctLimit = getExactDistinctLimit();
    s.kllK = getKllK();
    s.hllLgK = getHllLgK();
    s.frequentItemsMapSize = Integer.highestOneBit(getFrequentItemsMapSize() * 2 - 1);
    s.headRows = getSampleRows();
    s.sampleRows = getMode() == ProfileMode.FULL
        ? Math.max(getSampleRows(), getCorrelationSampleRows()) : getSampleRows();
    s.maxMissingPatterns = getMaxMissingPatterns();
    s.seed = getSeed();
    return s;
  }

  /** Profiles {@code df}: one scan, plus a duplicate count in FULL mode. */
  public Profile profile(Dataset<Row> df) {
    long t0 = System.nanoTime();
    StructType schema = df.schema();
    ProfileSettings s = settings();
    s.sampleKeyLimit = sampleKeyLimit(df, s.sampleRows);
    ProfileMode mode = getMode();
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
      p.correlations = new CorrelationCalculator(getMaxCorrelationColumns(), getHistogramBins())
          .compute(p.variables, corrRows, all.rows);
    }
    p.alerts = AlertRules.evaluate(p, getAlertThresholds());
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

  /**
   * Every partition keeps the rows with the k smallest random keys, which would send
   * partitions x k rows to the driver. When the row count n is known exactly (a materialized
   * cache), keys at or above a limit a little over k/n are dropped on the spot: the k smallest keys
   * are below it all but surely, and the sample stays uniform either way.
   */
  private static double sampleKeyLimit(Dataset<Row> df, int k) {
    try {
      if (!(df.queryExecution().optimizedPlan() instanceof InMemoryRelation cached)
          || !cached.cacheBuilder().isCachedColumnBuffersLoaded()) return 1.0;
      scala.Option<scala.math.BigInt> n = cached.stats().rowCount();
      if (n.isEmpty() || n.get().longValue() <= 0) return 1.0;
      double rows = n.get().doubleValue();
      return Math.min(1.0, (k + 6 * Math.sqrt(k) + 20) / rows);
    } catch (RuntimeException e) {
      return 1.0;
    }
  }

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
    int n = Math.min(getSampleRows(), all.sample.size());
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
