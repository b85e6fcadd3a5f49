package io.omelet.examples.bench;

import io.omelet.examples.DataDir;
import io.omelet.registry.OmeletSpark;
import io.omelet.tuning.OmeletTuner;
import io.omelet.tuning.Trial;
import io.omelet.tuning.TrialState;
import io.omelet.tuning.TunerModel;
import io.omelet.tuning.TunerSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.tree.GBTParams;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;

/**
 * bin/bench tuning spark: OmeletTuner on a GBT over real data, 3-fold CV on 80% of the rows (20% held out):
 * TPE (20 trials) vs random (20 trials), sampler seeds 0, 1, 2, vs the full grid of the same ranges; all on
 * the same folds (fold seed 0), 2 trials at a time; median pruning (the tuner's default) for TPE and random,
 * none for the grid, which is evaluated whole as CrossValidator would. Ranges:
 * maxDepth 2..6, maxIter 5..25, stepSize log-uniform 0.03..0.3, subsamplingRate 0.6..1, minInstancesPerNode
 * log-integer 1..16; the grid discretises the same ranges: maxDepth 2, 4, 6, maxIter 5, 25 and 2 points of
 * each other (3 x 2 x 2 x 2 x 2 = 48 points). The categorical columns are indexed and assembled once,
 * before tuning.
 */
final class TuningSparkBench {
  private static final int TRIALS = 20;
  private static final int SEEDS = 3;
  private static final int FOLDS = 3;
  private static final int DIAMONDS_ROWS = Integer.getInteger("omelet.bench.tuning.diamondsRows", 10_000);

  private TuningSparkBench() {}

  record Case(String name, String file, String label, boolean regression, int limit) {}

  static void run(List<String> only) {
    SparkSession spark = OmeletSpark.builder("omelet-bench-tuning", "local[2]")
        .config("spark.sql.shuffle.partitions", "4").getOrCreate();
    List<Case> cases = List.of(
        new Case("lending_club", "lending_club.csv", "Class", false, 0),
        new Case("credit_data", "credit_data.csv", "Status", false, 0),
        new Case("diamonds", "diamonds.csv", "price", true, DIAMONDS_ROWS));
    long start = System.nanoTime();
    for (Case c : cases) {
      if (only.isEmpty() || only.contains(c.name)) compare(spark, c);
    }
    Figures.print("tuning_spark_seconds", Figures.since(start));
  }

  private static void compare(SparkSession spark, Case c) {
    Dataset<Row> raw = DataDir.csv(spark, c.file).na().drop();
    if (c.limit > 0) raw = raw.sample(false, Math.min(1.0, (c.limit * 1.05) / raw.count()), 7).limit(c.limit);
    List<PipelineStage> prep = new ArrayList<>();
    List<String> features = new ArrayList<>();
    for (StructField f : raw.schema().fields()) {
      if (f.name().equals(c.label)) continue;
      if (f.dataType() instanceof StringType) {
        prep.add(new StringIndexer().setInputCol(f.name()).setOutputCol(f.name() + "_idx").setHandleInvalid("keep"));
        features.add(f.name() + "_idx");
      } else {
        features.add(f.name());
      }
    }
    if (!c.regression) prep.add(new StringIndexer().setInputCol(c.label).setOutputCol("label").setStringOrderType("alphabetAsc"));
    prep.add(new VectorAssembler().setInputCols(features.toArray(new String[0])).setOutputCol("features"));
    Dataset<Row> data = new Pipeline().setStages(prep.toArray(new PipelineStage[0])).fit(raw).transform(raw);
    if (c.regression) data = data.withColumn("label", data.col(c.label).cast("double"));
    data = data.select("label", "features").repartition(2).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row>[] parts = data.randomSplit(new double[] {0.8, 0.2}, 42);
    Dataset<Row> train = parts[0].cache();
    Dataset<Row> test = parts[1].cache();
    long nTrain = train.count();
    long nTest = test.count();
    Figures.print("tuning_" + c.name + "_rows", String.format(Locale.ROOT, "%d train (3-fold CV) + %d test, %d features",
        nTrain, nTest, features.size()));

    Evaluator ev = c.regression ? new RegressionEvaluator().setMetricName("rmse") : new BinaryClassificationEvaluator();
    String metric = c.regression ? "rmse" : "auc";
    boolean larger = ev.isLargerBetter();

    // The grid: every point, once (its order does not change what it finds).
    Result grid = tune(c, "grid", 0, 0, train, test, ev);
    print(c, "grid", grid, metric);
    Figures.print("grid_evals_" + c.name, grid.trials);

    double[][] cv = new double[2][SEEDS];
    double[][] testMetric = new double[2][SEEDS];
    double[] evalsToGrid = new double[SEEDS];
    String[] samplers = {"tpe", "random"};
    for (int seed = 0; seed < SEEDS; seed++) {
      for (int s = 0; s < samplers.length; s++) {
        Result r = tune(c, samplers[s], seed, TRIALS, train, test, ev);
        print(c, samplers[s] + "_seed" + seed, r, metric);
        cv[s][seed] = r.cv;
        testMetric[s][seed] = r.test;
        if (s == 0) {
          evalsToGrid[seed] = TRIALS + 1;
          for (int i = 0; i < r.values.length; i++) {
            if (!Double.isNaN(r.values[i]) && (larger ? r.values[i] >= grid.cv : r.values[i] <= grid.cv)) {
              evalsToGrid[seed] = i + 1;
              break;
            }
          }
          Figures.print("tpe_evals_to_grid_best_" + c.name + "_seed" + seed, (long) evalsToGrid[seed]);
        }
      }
    }
    double tpeCv = Figures.median(cv[0]);
    double randomCv = Figures.median(cv[1]);
    Figures.print("tuning_" + c.name + "_tpe_cv_" + metric + "_median", tpeCv);
    Figures.print("tuning_" + c.name + "_random_cv_" + metric + "_median", randomCv);
    Figures.print("tuning_" + c.name + "_tpe_test_" + metric + "_median", Figures.median(testMetric[0]));
    Figures.print("tuning_" + c.name + "_random_test_" + metric + "_median", Figures.median(testMetric[1]));
    double evals = Figures.median(evalsToGrid);
    Figures.print("tpe_evals_to_grid_best_" + c.name, evals);
    Figures.print("goal_" + c.name + "_tpe_reaches_grid_best_within_third",
        (evals <= grid.trials / 3.0 ? "met" : "not met") + String.format(Locale.ROOT, " (%s <= %d / 3)", Figures.format(evals),
            grid.trials));
    boolean beats = larger ? tpeCv > randomCv : tpeCv < randomCv;
    Figures.print("goal_" + c.name + "_tpe_beats_random", beats ? "met" : "not met");
    data.unpersist();
    train.unpersist();
    test.unpersist();
  }

  record Result(double cv, double test, int trials, long pruned, long failed, double seconds, double[] values) {}

  private static Result tune(Case c, String sampler, long seed, int maxTrials, Dataset<Row> train, Dataset<Row> test,
      Evaluator ev) {
    PipelineStage est;
    GBTParams p;
    if (c.regression) {
      GBTRegressor g = new GBTRegressor().setSeed(1).setMaxBins(64);
      est = g;
      p = g;
    } else {
      GBTClassifier g = new GBTClassifier().setSeed(1).setMaxBins(64);
      est = g;
      p = g;
    }
    boolean isGrid = sampler.equals("grid");
    TunerSpace space = TunerSpace.builder()
        // The grid takes maxDepth 2, 4, 6 and maxIter 5, 25 of the same ranges, and 2 points of the others.
        .integer((IntParam) p.maxDepth(), 2, 6, isGrid ? 2 : 1)
        .integer((IntParam) p.maxIter(), 5, 25, isGrid ? 20 : 1)
        .logUniform((DoubleParam) p.stepSize(), 0.03, 0.3)
        .uniform((DoubleParam) p.subsamplingRate(), 0.6, 1.0)
        .logInteger((IntParam) p.minInstancesPerNode(), 1, 16)
        .build();
    OmeletTuner tuner = new OmeletTuner().setEstimator((org.apache.spark.ml.Estimator<?>) est).setEvaluator(ev)
        .setSearchSpace(space).setSampler(sampler).setSeed(seed).setFoldSeed(0).setNumFolds(FOLDS)
        .setMaxTrials(maxTrials).setGridPoints(2).setParallelism(2)
        // The grid is the full grid, as CrossValidator would run it: every point on every fold.
        .setPruning(!isGrid);
    long t0 = System.nanoTime();
    TunerModel m = tuner.fit(train);
    double seconds = Figures.since(t0);
    double testValue = ev.evaluate(m.transform(test));
    List<Trial> trials = m.trialList();
    double[] values = new double[trials.size()];
    for (int i = 0; i < values.length; i++) {
      Trial t = trials.get(i);
      values[i] = t.state() == TrialState.COMPLETE ? t.value() : Double.NaN;
    }
    long pruned = trials.stream().filter(t -> t.state() == TrialState.PRUNED).count();
    long failed = trials.stream().filter(t -> t.state() == TrialState.FAILED).count();
    System.err.printf(Locale.ROOT, "%s %s seed %d: best %s in %.0f s, params %s%n", c.name, sampler, seed,
        Figures.format(m.bestValue()), seconds, m.bestParams());
    return new Result(m.bestValue(), testValue, trials.size(), pruned, failed, seconds, values);
  }

  private static void print(Case c, String sampler, Result r, String metric) {
    String k = "tuning_" + c.name + "_" + sampler;
    Figures.print(k + "_cv_" + metric, r.cv);
    Figures.print(k + "_test_" + metric, r.test);
    Figures.print(k + "_trials", String.format(Locale.ROOT, "%d (%d pruned, %d failed)", r.trials, r.pruned, r.failed));
    Figures.print(k + "_seconds", r.seconds);
  }

  static String describeValues(double[] v) {
    return Arrays.toString(v);
  }
}
