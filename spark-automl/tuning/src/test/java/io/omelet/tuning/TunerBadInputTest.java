package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.testing.SharedSpark;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each bad input fails with a clear message before any Spark job (a binary label check runs one small job). */
class TunerBadInputTest {

  private static String failsWithoutJobs(Executable action) {
    TuningData.credit();
    TuningData.creditFeatures();
    IllegalArgumentException[] e = new IllegalArgumentException[1];
    int jobs = SharedSpark.jobsDuring(() -> e[0] = assertThrows(IllegalArgumentException.class, action));
    assertEquals(0, jobs, "jobs before the error: " + e[0].getMessage());
    return e[0].getMessage();
  }

  private static void contains(String message, String... parts) {
    for (String p : parts) assertTrue(message.contains(p), "'" + p + "' not in: " + message);
  }

  private static Pipeline creditPipeline(PipelineStage last) {
    return new Pipeline().setStages(new PipelineStage[] {TuningData.indexer(), TuningData.assembler(), last});
  }

  @Test
  void badSpacesAreRefusedWhenBuilt() {
    LogisticRegression lr = new LogisticRegression();
    GBTClassifier gbt = new GBTClassifier();
    contains(failsWithoutJobs(() -> TunerSpace.builder().build()), "search space is empty");
    contains(failsWithoutJobs(() -> TunerSpace.builder().uniform(lr.elasticNetParam(), 0.5, 0.1).build()),
        "elasticNetParam", "low (0.5) must be below high (0.1)");
    contains(failsWithoutJobs(() -> TunerSpace.builder().logUniform(lr.regParam(), 0, 1).build()),
        "regParam", "log-uniform range needs low > 0");
    contains(failsWithoutJobs(() -> TunerSpace.builder().categorical(lr.family()).build()),
        "family", "at least one choice");
    contains(failsWithoutJobs(() -> TunerSpace.builder().choice("model").build()), "model", "at least one option");
    contains(failsWithoutJobs(() -> TunerSpace.builder().integer(gbt.maxDepth(), -1, 5).build()),
        "maxDepth", "-1 is not a valid value");
    contains(failsWithoutJobs(() -> TunerSpace.builder().categorical(lr.family(), "binomial", "gaussian").build()),
        "family", "gaussian is not a valid value");
    contains(failsWithoutJobs(() -> TunerSpace.builder().uniform(gbt.maxDepth(), 1, 5).build()),
        "maxDepth is a IntParam", "use integer");
  }

  @Test
  void aParamThatIsNotTheEstimatorsIsNamedWithTheEstimator() {
    Dataset<Row> data = TuningData.credit();
    GBTClassifier gbt = new GBTClassifier();
    RandomForestClassifier rf = new RandomForestClassifier();
    Pipeline pipeline = creditPipeline(gbt);
    OmeletTuner tuner = new OmeletTuner().setEstimator(pipeline).setEvaluator(new BinaryClassificationEvaluator())
        .setSearchSpace(TunerSpace.builder().integer(gbt.maxDepth(), 2, 5).integer(rf.numTrees(), 5, 50).build());
    contains(failsWithoutJobs(() -> tuner.fit(data)), "numTrees of " + rf.uid(), "does not belong to the estimator",
        "Pipeline " + pipeline.uid(), "GBTClassifier " + gbt.uid());

    // A choice none of whose options is in the pipeline has no slot.
    LogisticRegression lr = new LogisticRegression();
    OmeletTuner noSlot = new OmeletTuner().setEstimator(creditPipeline(new LogisticRegression()))
        .setEvaluator(new BinaryClassificationEvaluator()).setSearchSpace(TunerSpace.builder()
            .choice("model", TunerSpace.option("rf", rf).integer(rf.numTrees(), 5, 10), TunerSpace.option("lr", lr)).build());
    contains(failsWithoutJobs(() -> noSlot.fit(data)), "choice model", "none of its options", "rf: RandomForestClassifier");
  }

  @Test
  void aBudgetThatNeverEndsIsRefused() {
    LogisticRegression lr = new LogisticRegression();
    OmeletTuner tuner = new OmeletTuner().setEstimator(lr).setEvaluator(new BinaryClassificationEvaluator())
        .setSearchSpace(TunerSpace.builder().logUniform(lr.regParam(), 1e-3, 1).build()).setMaxTrials(0);
    contains(failsWithoutJobs(() -> tuner.fit(TuningData.creditFeatures())), "maxTrials must be > 0 when there is no timeout");
    contains(failsWithoutJobs(() -> tuner.setMaxTrials(-1).fit(TuningData.creditFeatures())), "maxTrials must be >= 0");
    contains(failsWithoutJobs(() -> tuner.setMaxTrials(5).setNumFolds(1).fit(TuningData.creditFeatures())), "numFolds must be >= 2");
    contains(failsWithoutJobs(() -> tuner.setNumFolds(3).setTrainRatio(1.0).fit(TuningData.creditFeatures())),
        "trainRatio must be in (0, 1)");
    contains(failsWithoutJobs(() -> new OmeletTuner().setEstimator(lr).setEvaluator(new BinaryClassificationEvaluator())
        .setSearchSpace(TunerSpace.builder().logUniform(lr.regParam(), 1e-3, 1).build()).setSampler("bayes")
        .fit(TuningData.creditFeatures())), "sampler must be tpe, random or grid");
    contains(failsWithoutJobs(() -> new OmeletTuner().setEstimator(lr).fit(TuningData.creditFeatures())), "evaluator is not set");
    contains(failsWithoutJobs(() -> new OmeletTuner().setEstimator(lr).setEvaluator(new BinaryClassificationEvaluator())
        .setRegisterModelName("m").fit(TuningData.creditFeatures())), "searchSpace is not set");
  }

  @Test
  void anEvaluatorThatDoesNotFitTheLabelIsRefused() {
    // A string label: refused from the schema.
    LogisticRegression lr = new LogisticRegression().setLabelCol("Status");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {TuningData.assembler(), lr});
    OmeletTuner tuner = new OmeletTuner().setEstimator(pipeline)
        .setEvaluator(new BinaryClassificationEvaluator().setLabelCol("Status"))
        .setSearchSpace(TunerSpace.builder().logUniform(lr.regParam(), 1e-3, 1).build());
    String m = failsWithoutJobs(() -> tuner.fit(TuningData.credit()));
    assertTrue(m.contains("Status") && (m.contains("numeric") || m.contains("NumericType")), m);

    // A binary evaluator on a regression label (diamonds' price): one small job reads at most 3 distinct values.
    Dataset<Row> diamonds = SharedSpark.csv("diamonds.csv").limit(500).cache();
    diamonds.count();
    LinearRegression reg = new LinearRegression().setLabelCol("price").setMaxIter(5);
    Pipeline regPipeline = new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(new String[] {"carat", "depth", "table"}).setOutputCol("features"), reg});
    OmeletTuner binaryOnPrice = new OmeletTuner().setEstimator(regPipeline)
        .setEvaluator(new BinaryClassificationEvaluator().setLabelCol("price").setRawPredictionCol("prediction"))
        .setSearchSpace(TunerSpace.builder().logUniform(reg.regParam(), 1e-3, 1).build());
    IllegalArgumentException[] e = new IllegalArgumentException[1];
    int jobs = SharedSpark.jobsDuring(() -> e[0] = assertThrows(IllegalArgumentException.class, () -> binaryOnPrice.fit(diamonds)));
    assertTrue(jobs <= 1, "jobs: " + jobs);
    contains(e[0].getMessage(), "BinaryClassificationEvaluator needs a label with 2 values", "'price'", "RegressionEvaluator");

    // A non-integral double label with 2 values.
    StructType schema = new StructType().add("y", DataTypes.DoubleType).add("x", DataTypes.DoubleType);
    Dataset<Row> halves = TuningData.spark().createDataFrame(List.of(RowFactory.create(0.0, 1.0), RowFactory.create(0.5, 2.0),
        RowFactory.create(0.0, 3.0)), schema);
    LogisticRegression lr2 = new LogisticRegression().setLabelCol("y");
    OmeletTuner onHalves = new OmeletTuner().setEstimator(new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(new String[] {"x"}).setOutputCol("features"), lr2}))
        .setEvaluator(new BinaryClassificationEvaluator().setLabelCol("y"))
        .setSearchSpace(TunerSpace.builder().logUniform(lr2.regParam(), 1e-3, 1).build());
    IllegalArgumentException h = assertThrows(IllegalArgumentException.class, () -> onHalves.fit(halves));
    contains(h.getMessage(), "0/1 label", "0.5");

    // A regression evaluator reading a column the estimator does not make.
    OmeletTuner missingPrediction = new OmeletTuner().setEstimator(regPipeline)
        .setEvaluator(new RegressionEvaluator().setLabelCol("price").setPredictionCol("pred"))
        .setSearchSpace(TunerSpace.builder().logUniform(reg.regParam(), 1e-3, 1).build());
    contains(failsWithoutJobs(() -> missingPrediction.fit(diamonds)), "reads column 'pred'");
  }
}
