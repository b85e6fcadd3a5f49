package io.omelet.automl.engine;

import io.omelet.common.FeatureCodec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import water.H2O;
import water.Key;
import water.fvec.ChunkUtils;
import water.fvec.Frame;
import water.fvec.NewChunk;
import water.fvec.Vec;

/**
 * Moves a Spark DataFrame into an H2O frame, keeping types:
 * <ul>
 *   <li>strings and booleans become categoricals (a boolean's levels are {@code false}, {@code true});</li>
 *   <li>integral, floating and decimal numbers stay numeric;</li>
 *   <li>timestamps become H2O time columns (ms since the epoch); dates become time columns at
 *       midnight UTC;</li>
 *   <li>nulls (and NaN) become NA; column names are kept as they are (dots and spaces too).</li>
 * </ul>
 * Executors encode each partition into primitive column arrays (categoricals as codes into a
 * per-partition dictionary, read from Spark's internal rows so no Row or String is made per cell);
 * the driver merges the dictionaries into sorted domains and writes each partition as one chunk
 * (or several, when a partition is larger than the cloud's parallelism wants).
 */
public final class SparkToH2O {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SparkToH2O.class);

  private SparkToH2O() {}

  /** What the conversion does with a Spark column type. */
  enum Kind { NUM, CAT, BOOL, TIME }

  /** Columns whose type cannot be moved into H2O, as {@code name (type)}; empty when all can. */
  public static List<String> unsupportedColumns(StructType schema) {
    List<String> bad = new ArrayList<>();
    for (StructField f : schema.fields()) {
      if (kindOf(f.dataType()) == null) bad.add(f.name() + " (" + f.dataType().simpleString() + ")");
    }
    return bad;
  }

  /** Throws an error naming every column whose type H2O cannot take. */
  public static void checkSupported(StructType schema) {
    List<String> bad = unsupportedColumns(schema);
    if (!bad.isEmpty()) {
      throw new IllegalArgumentException("unsupported column type(s) for H2O: " + String.join(", ", bad)
          + "; supported are numeric, string, boolean, date and timestamp columns"
          + " (drop these columns, list them in ignoredCols, or flatten them first)");
    }
  }

  /** The frame column kind of a Spark type, from the one type table scoring reads too ({@link FeatureCodec}). */
  static Kind kindOf(DataType t) {
    FeatureCodec.SparkKind k = FeatureCodec.SparkKind.of(t);
    if (k == null) return null;
    return switch (k) {
      case STRING -> Kind.CAT;
      case BOOLEAN -> Kind.BOOL;
      case DATE, TIMESTAMP -> Kind.TIME;
      default -> Kind.NUM;
    };
  }

  /** Converts {@code df} into a new frame registered in H2O's store under {@code key}. */
  public static Frame convert(Dataset<Row> df, Key<Frame> key) {
    StructType schema = df.schema();
    checkSupported(schema);
    int ncols = schema.fields().length;
    Kind[] kinds = new Kind[ncols];
    DataType[] types = new DataType[ncols];
    for (int c = 0; c < ncols; c++) {
      types[c] = schema.fields()[c].dataType();
      kinds[c] = kindOf(types[c]);
    }
    // In local mode the tasks run in this JVM: they hand their arrays over in memory instead of
    // serializing them as task results (about half the time of a conversion).
    String handoff = df.sparkSession().sparkContext().isLocal()
        ? java.util.UUID.randomUUID().toString() : null;
    PartitionEncoder encoder = new PartitionEncoder(kinds, types, handoff);
    long t0 = System.nanoTime();
    List<EncodedPartition> parts = new ArrayList<>();
    try {
      for (EncodedPartition p : df.queryExecution().toRdd().toJavaRDD().mapPartitions(encoder).collect()) {
        if (p.handoffKey == null) {
          parts.add(p);
        } else {
          EncodedPartition local = HANDOFF.remove(p.handoffKey);
          if (local == null) throw new IllegalStateException("lost partition " + p.handoffKey);
          parts.add(local);
        }
      }
    } finally {
      if (handoff != null) HANDOFF.keySet().removeIf(k -> k.startsWith(handoff));
    }
    long t1 = System.nanoTime();
    Frame fr = write(key, schema.fieldNames(), kinds, parts);
    LOG.info("moved {} rows x {} columns into H2O frame {}: encode {} ms, write {} ms",
        fr.numRows(), ncols, key, (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
    return fr;
  }

  private static Frame write(Key<Frame> key, String[] names, Kind[] kinds,
                             List<EncodedPartition> parts) {
    int ncols = names.length;
    // Global domains: the sorted union of the partitions' dictionaries (H2O's own parser sorts too).
    String[][] domains = new String[ncols][];
    int[][][] remap = new int[parts.size()][ncols][];
    for (int c = 0; c < ncols; c++) {
      if (kinds[c] == Kind.BOOL) {
        domains[c] = new String[] {"false", "true"};
      } else if (kinds[c] == Kind.CAT) {
        TreeSet<String> all = new TreeSet<>();
        for (EncodedPartition p : parts) all.addAll(Arrays.asList(p.dictionaries[c]));
        domains[c] = all.toArray(new String[0]);
        Map<String, Integer> index = new HashMap<>(domains[c].length * 2);
        for (int i = 0; i < domains[c].length; i++) index.put(domains[c][i], i);
        for (int pi = 0; pi < parts.size(); pi++) {
          String[] local = parts.get(pi).dictionaries[c];
          int[] m = new int[local.length];
          for (int i = 0; i < local.length; i++) m[i] = index.get(local[i]);
          remap[pi][c] = m;
        }
      }
    }
    byte[] vecTypes = new byte[ncols];
    for (int c = 0; c < ncols; c++) {
      vecTypes[c] = switch (kinds[c]) {
        case CAT, BOOL -> Vec.T_CAT;
        case TIME -> Vec.T_TIME;
        default -> Vec.T_NUM;
      };
    }
    long total = parts.stream().mapToLong(p -> p.rows).sum();
    // Enough chunks for the cloud's cores to work in parallel, never chunks of a handful of rows.
    int cores = Math.max(1, H2O.CLOUD.size() * H2O.NUMCPUS);
    int maxChunkRows = (int) Math.max(1_000, (total + 4L * cores - 1) / (4L * cores));
    List<int[]> slices = new ArrayList<>(); // {partition, fromRow, toRow}
    for (int pi = 0; pi < parts.size(); pi++) {
      int n = parts.get(pi).rows;
      for (int from = 0; from < n; from += maxChunkRows) {
        slices.add(new int[] {pi, from, Math.min(n, from + maxChunkRows)});
      }
    }
    String keyName = key.toString();
    ChunkUtils.initFrame(keyName, names);
    final long[] espc = new long[slices.size()];
    IntStream.range(0, slices.size()).parallel().forEach(ci -> {
      int[] s = slices.get(ci);
      EncodedPartition p = parts.get(s[0]);
      NewChunk[] chunks = ChunkUtils.createNewChunks(keyName, vecTypes, ci);
      for (int c = 0; c < ncols; c++) {
        NewChunk nc = chunks[c];
        if (kinds[c] == Kind.CAT || kinds[c] == Kind.BOOL) {
          int[] codes = p.codes[c];
          int[] m = remap[s[0]][c];
          for (int r = s[1]; r < s[2]; r++) {
            int code = codes[r];
            // Level codes go in as plain integers: NewChunk.addCategorical after a run of zeros
            // (sparse-zero mode) reads back as NA, which silently lost whole classes here.
            if (code < 0) nc.addNA();
            else nc.addNum(m == null ? code : m[code], 0);
          }
        } else {
          double[] v = p.numbers[c];
          for (int r = s[1]; r < s[2]; r++) {
            double d = v[r];
            if (Double.isNaN(d)) nc.addNA();
            else nc.addNum(d);
          }
        }
      }
      ChunkUtils.closeNewChunks(chunks);
      espc[ci] = s[2] - s[1];
    });
    if (slices.isEmpty()) {
      // An empty frame still needs one (empty) chunk per column.
      ChunkUtils.closeNewChunks(ChunkUtils.createNewChunks(keyName, vecTypes, 0));
      return ChunkUtils.finalizeFrame(keyName, new long[] {0}, vecTypes, domains);
    }
    return ChunkUtils.finalizeFrame(keyName, espc, vecTypes, domains);
  }

  /** Partitions encoded by local-mode tasks, waiting for the driver (same JVM). */
  static final java.util.concurrent.ConcurrentHashMap<String, EncodedPartition> HANDOFF =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** One partition as primitive columns: numbers (NaN = NA) or codes (-1 = NA) into a dictionary. */
  static final class EncodedPartition implements Serializable {
    String handoffKey;
    int rows;
    double[][] numbers;
    int[][] codes;
    String[][] dictionaries;
  }

  /** Runs on executors: reads internal rows by ordinal and fills primitive arrays. */
  static final class PartitionEncoder
      implements FlatMapFunction<Iterator<InternalRow>, EncodedPartition> {
    private final Kind[] kinds;
    private final FeatureCodec.SparkKind[] sparkKinds;
    private final DataType[] types;
    private final String handoff;

    PartitionEncoder(Kind[] kinds, DataType[] types, String handoff) {
      this.kinds = kinds;
      this.types = types;
      this.handoff = handoff;
      this.sparkKinds = new FeatureCodec.SparkKind[types.length];
      for (int c = 0; c < types.length; c++) sparkKinds[c] = FeatureCodec.SparkKind.of(types[c]);
    }

    @Override
    public Iterator<EncodedPartition> call(Iterator<InternalRow> rows) {
      int ncols = kinds.length;
      int capacity = 4096;
      double[][] numbers = new double[ncols][];
      int[][] codes = new int[ncols][];
      List<Map<UTF8String, Integer>> dicts = new ArrayList<>(ncols);
      for (int c = 0; c < ncols; c++) {
        if (kinds[c] == Kind.CAT || kinds[c] == Kind.BOOL) codes[c] = new int[capacity];
        else numbers[c] = new double[capacity];
        dicts.add(kinds[c] == Kind.CAT ? new HashMap<>() : null);
      }
      int n = 0;
      while (rows.hasNext()) {
        InternalRow row = rows.next();
        if (n == capacity) {
          capacity = capacity * 2;
          for (int c = 0; c < ncols; c++) {
            if (codes[c] != null) codes[c] = Arrays.copyOf(codes[c], capacity);
            else numbers[c] = Arrays.copyOf(numbers[c], capacity);
          }
        }
        for (int c = 0; c < ncols; c++) {
          boolean na = row.isNullAt(c);
          switch (kinds[c]) {
            case CAT -> {
              if (na) {
                codes[c][n] = -1;
              } else {
                UTF8String s = row.getUTF8String(c);
                Map<UTF8String, Integer> d = dicts.get(c);
                Integer code = d.get(s);
                if (code == null) {
                  code = d.size();
                  d.put(s.clone(), code); // the row's bytes may be reused for the next row
                }
                codes[c][n] = code;
              }
            }
            case BOOL -> codes[c][n] = na ? -1 : (row.getBoolean(c) ? 1 : 0);
            // Numbers, dates and timestamps are read as scoring reads them, so a value means the same.
            case NUM, TIME -> numbers[c][n] = na ? Double.NaN
                : FeatureCodec.sparkNumber(row, c, sparkKinds[c], types[c]);
            default -> throw new IllegalStateException("unexpected kind " + kinds[c]);
          }
        }
        n++;
      }
      EncodedPartition p = new EncodedPartition();
      p.rows = n;
      p.numbers = new double[ncols][];
      p.codes = new int[ncols][];
      p.dictionaries = new String[ncols][];
      for (int c = 0; c < ncols; c++) {
        if (codes[c] != null) p.codes[c] = Arrays.copyOf(codes[c], n);
        else p.numbers[c] = Arrays.copyOf(numbers[c], n);
        Map<UTF8String, Integer> d = dicts.get(c);
        if (d != null) {
          String[] words = new String[d.size()];
          for (Map.Entry<UTF8String, Integer> e : d.entrySet()) words[e.getValue()] = e.getKey().toString();
          p.dictionaries[c] = words;
        }
      }
      if (handoff != null) {
        String key = handoff + ":" + org.apache.spark.TaskContext.getPartitionId();
        HANDOFF.put(key, p);
        EncodedPartition stub = new EncodedPartition();
        stub.handoffKey = key;
        return List.of(stub).iterator();
      }
      return List.of(p).iterator();
    }
  }
}
