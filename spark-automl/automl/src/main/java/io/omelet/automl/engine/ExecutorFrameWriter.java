package io.omelet.automl.engine;

import io.omelet.automl.engine.SparkToH2O.Kind;
import io.omelet.common.FeatureCodec;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.DKV;
import water.Key;
import water.fvec.ChunkUtils;
import water.fvec.Frame;
import water.fvec.NewChunk;
import water.fvec.Vec;

/**
 * Moves a DataFrame into an H2O cloud whose nodes run inside the executors ({@link InternalH2OEngine}):
 * each task writes its partition as one chunk through its own executor's node, so rows never pass
 * through the driver, which only announces the frame and finalizes it from the per-partition row
 * counts. Types are mapped as {@link SparkToH2O} maps them. Strings are written as H2O strings and
 * turned into categoricals on the cloud afterwards (sorted domains, as H2O's parser and the driver
 * path make them), since no executor knows the other partitions' levels.
 */
final class ExecutorFrameWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorFrameWriter.class);

  private ExecutorFrameWriter() {}

  static Frame write(Dataset<Row> input, Key<Frame> key, String cloudName, int nodes) {
    // Fewer partitions than nodes would leave nodes idle while writing (Spark's adaptive execution
    // merges a small sorted input into one partition): spread the rows over the executors first.
    Dataset<Row> df = input.queryExecution().toRdd().getNumPartitions() < nodes ? input.repartition(nodes) : input;
    StructType schema = df.schema();
    SparkToH2O.checkSupported(schema);
    int ncols = schema.fields().length;
    Kind[] kinds = new Kind[ncols];
    DataType[] types = new DataType[ncols];
    byte[] vecTypes = new byte[ncols];
    String[][] domains = new String[ncols][];
    for (int c = 0; c < ncols; c++) {
      types[c] = schema.fields()[c].dataType();
      kinds[c] = SparkToH2O.kindOf(types[c]);
      vecTypes[c] = switch (kinds[c]) {
        case CAT -> Vec.T_STR;
        case BOOL -> Vec.T_CAT;
        case TIME -> Vec.T_TIME;
        default -> Vec.T_NUM;
      };
      if (kinds[c] == Kind.BOOL) domains[c] = new String[] {"false", "true"};
    }
    String keyName = key.toString();
    long t0 = System.nanoTime();
    ChunkUtils.initFrame(keyName, schema.fieldNames());
    JavaRDD<InternalRow> rows = df.queryExecution().toRdd().toJavaRDD();
    int partitions = rows.getNumPartitions();
    List<long[]> written = rows
        .mapPartitionsWithIndex(new PartitionWriter(cloudName, keyName, kinds, types, vecTypes), false)
        .collect();
    long[] espc = new long[Math.max(1, partitions)];
    for (long[] w : written) espc[(int) w[0]] = w[1];
    if (partitions == 0) ChunkUtils.closeNewChunks(ChunkUtils.createNewChunks(keyName, vecTypes, 0));
    long t1 = System.nanoTime();
    Frame fr = ChunkUtils.finalizeFrame(keyName, espc, vecTypes, domains);
    boolean anyString = false;
    for (int c = 0; c < ncols; c++) {
      if (kinds[c] != Kind.CAT) continue;
      anyString = true;
      Vec levels = fr.vec(c).toCategoricalVec();
      fr.replace(c, levels).remove();
    }
    if (anyString) DKV.put(fr);
    LOG.info("moved {} rows x {} columns into H2O frame {} through the executors' nodes: write {} ms,"
        + " categoricals {} ms", fr.numRows(), ncols, key, (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
    return fr;
  }

  /** Runs on executors: writes partition i as chunk i of the frame through the executor's own node. */
  static final class PartitionWriter implements Function2<Integer, Iterator<InternalRow>, Iterator<long[]>> {
    private final String cloudName;
    private final String keyName;
    private final Kind[] kinds;
    private final DataType[] types;
    private final byte[] vecTypes;
    private final FeatureCodec.SparkKind[] sparkKinds;

    PartitionWriter(String cloudName, String keyName, Kind[] kinds, DataType[] types, byte[] vecTypes) {
      this.cloudName = cloudName;
      this.keyName = keyName;
      this.kinds = kinds;
      this.types = types;
      this.vecTypes = vecTypes;
      this.sparkKinds = new FeatureCodec.SparkKind[types.length];
      for (int c = 0; c < types.length; c++) sparkKinds[c] = FeatureCodec.SparkKind.of(types[c]);
    }

    @Override
    public Iterator<long[]> call(Integer partition, Iterator<InternalRow> rows) {
      ExecutorH2ONode.require(cloudName);
      NewChunk[] chunks = ChunkUtils.createNewChunks(keyName, vecTypes, partition);
      long n = 0;
      while (rows.hasNext()) {
        InternalRow row = rows.next();
        for (int c = 0; c < kinds.length; c++) {
          NewChunk nc = chunks[c];
          if (row.isNullAt(c)) {
            nc.addNA();
            continue;
          }
          switch (kinds[c]) {
            case CAT -> nc.addStr(row.getUTF8String(c).toString());
            // level codes as plain integers (see SparkToH2O: addCategorical after zeros reads as NA)
            case BOOL -> nc.addNum(row.getBoolean(c) ? 1 : 0, 0);
            case NUM, TIME -> {
              double d = FeatureCodec.sparkNumber(row, c, sparkKinds[c], types[c]);
              if (Double.isNaN(d)) nc.addNA();
              else nc.addNum(d);
            }
            default -> throw new IllegalStateException("unexpected kind " + kinds[c]);
          }
        }
        n++;
      }
      ChunkUtils.closeNewChunks(chunks);
      return List.of(new long[] {partition, n}).iterator();
    }
  }
}
