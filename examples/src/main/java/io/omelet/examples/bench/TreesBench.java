package io.omelet.examples.bench;

import io.omelet.examples.DataDir;
import hex.Model;
import hex.ModelBuilder;
import hex.tree.SharedTreeModel;
import hex.tree.drf.DRF;
import hex.tree.drf.DRFModel;
import hex.tree.gbm.GBM;
import hex.tree.gbm.GBMModel;
import io.omelet.automl.engine.EmbeddedH2OEngine;
import io.omelet.registry.OmeletSpark;
import io.omelet.scoring.FeatureBinding;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.RowScorer;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import water.Key;
import water.fvec.Frame;

/**
 * bin/bench trees: one thread scoring prepared rows through Omelet's flat trees ({@link RowScorer},
 * the path omelet_predict, MojoScorer and REST take) against h2o-genmodel's own {@code score0} on the
 * same rows, for each H2O tree family: {@code <family>_flat_over_score0} = flat rows/s over score0
 * rows/s (both exact: the flat result is h2o-genmodel's bit for bit, as the tests check).
 * <ul>
 *   <li>gbm (binomial, lending_club, 50 trees of depth 5), drf and xrt (binomial, lending_club, 50
 *       trees, H2O's default depth 20);
 *   <li>multinomial (GBM on diamonds' cut, 5 classes: 50 trees of depth 5 per class) and
 *       drf_multinomial (DRF, same data, 50 trees per class).
 * </ul>
 * Each rate is the median of 3 timed passes after a warm-up.
 */
public final class TreesBench implements Benchmark {
  @Override
  public String name() {
    return "trees";
  }

  @Override
  public String description() {
    return "flat-tree scoring vs h2o-genmodel score0, one thread, GBM/DRF/XRT binomial and multinomial";
  }

  @Override
  public void run(String[] args) throws Exception {
    SparkSession spark = OmeletSpark.builder("omelet-bench-trees", "local[2]").getOrCreate();
    Dataset<Row> lending = DataDir.csv(spark, "lending_club.csv").cache();
    Dataset<Row> diamonds = DataDir.csv(spark, "diamonds.csv").cache();
    EmbeddedH2OEngine engine = EmbeddedH2OEngine.get();
    engine.start();
    Frame lc = engine.toH2OFrame(lending, Key.make("bench_lc"));
    Frame dm = engine.toH2OFrame(diamonds, Key.make("bench_diamonds"));

    measure("gbm", gbm(lc, "Class"), lending);
    measure("drf", drf(lc, "Class", false), lending);
    measure("xrt", drf(lc, "Class", true), lending);
    measure("multinomial", gbm(dm, "cut"), diamonds);
    measure("drf_multinomial", drf(dm, "cut", false), diamonds);
    spark.stop();
  }

  private static MojoModel gbm(Frame train, String response) throws Exception {
    GBMModel.GBMParameters p = new GBMModel.GBMParameters();
    p._ntrees = H2OGbm.TREES;
    p._max_depth = H2OGbm.DEPTH;
    return mojo(new GBM(common(p, train, response)));
  }

  private static MojoModel drf(Frame train, String response, boolean xrt) throws Exception {
    DRFModel.DRFParameters p = new DRFModel.DRFParameters();
    p._ntrees = 50;
    if (xrt) p._histogram_type = SharedTreeModel.SharedTreeParameters.HistogramType.Random;
    return mojo(new DRF(common(p, train, response)));
  }

  private static <P extends Model.Parameters> P common(P p, Frame train, String response) {
    p._train = train._key;
    p._response_column = response;
    p._seed = 1;
    return p;
  }

  private static MojoModel mojo(ModelBuilder<?, ?, ?> builder) throws Exception {
    Model<?, ?, ?> model = builder.trainModel().get();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.getMojo().writeTo(out);
      return MojoModel.of(out.toByteArray());
    } finally {
      model.delete();
    }
  }

  private static void measure(String family, MojoModel mojo, Dataset<Row> data) {
    FeatureBinding binding = FeatureBinding.bind(data.schema(), mojo);
    List<InternalRow> rows = data.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).collect();
    int width = Math.max(mojo.genModel().getNames().length, mojo.genModel().nfeatures());
    double[][] prepared = new double[rows.size()][width];
    for (int i = 0; i < prepared.length; i++) binding.fill(rows.get(i), prepared[i]);
    RowScorer flat = new RowScorer(mojo, binding);
    hex.genmodel.GenModel genmodel = mojo.genModel();
    double[] preds = new double[genmodel.getPredsSize()];
    int passes = Math.max(1, 200_000 / prepared.length);
    double[] sink = {0};
    Runnable flatPass = () -> {
      for (int k = 0; k < passes; k++) for (double[] r : prepared) sink[0] += flat.score(r)[1];
    };
    Runnable score0Pass = () -> {
      for (int k = 0; k < passes; k++) {
        for (double[] r : prepared) {
          java.util.Arrays.fill(preds, 0.0);
          sink[0] += genmodel.score0(r, preds)[1];
        }
      }
    };
    double rows0 = (double) passes * prepared.length;
    double flatRate = rows0 / ScoringBench.medianSeconds(flatPass);
    double score0Rate = rows0 / ScoringBench.medianSeconds(score0Pass);
    System.err.printf("[trees] %s: %d rows x %d passes (sink %.1f)%n", family, prepared.length, passes, sink[0]);
    Figures.print(family + "_flat_rows_per_s", flatRate);
    Figures.print(family + "_score0_rows_per_s", score0Rate);
    Figures.print(family + "_flat_over_score0", flatRate / score0Rate);
  }
}
