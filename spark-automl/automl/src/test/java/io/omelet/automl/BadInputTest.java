package io.omelet.automl;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Each bad input fails with a clear message before any training starts; a job can be cancelled. */
class BadInputTest {

  private static AutoMLInputException fails(Dataset<Row> df, OmeletAutoML s) {
    AutoMLJobTest.Recorder rec = new AutoMLJobTest.Recorder();
    AutoMLInputException e = assertThrows(AutoMLInputException.class,
        () -> new AutoMLJob(TestSupport.h2o(), s).addListener(rec).run(df));
    assertNull(rec.info, "training must not have started");
    assertEquals(e, rec.failure, "the listener hears about the failure");
    // check() refuses the same input with the same message, without training
    AutoMLInputException checked = assertThrows(AutoMLInputException.class,
        () -> new AutoMLJob(TestSupport.h2o(), s).check(df));
    assertEquals(e.getMessage(), checked.getMessage());
    return e;
  }

  @Test
  void checkTellsWhatARunWouldTrainOn() {
    Dataset<Row> df = credit();
    AutoMLRunInfo info = new AutoMLJob(TestSupport.h2o(), AutoMLJobTest.small("Status")).check(df);
    assertEquals(ProblemType.BINOMIAL, info.problemType());
    assertEquals(df.count(), info.inputRows());
    assertEquals(df.filter("Status IS NOT NULL").count(), info.usedRows());
    assertEquals(info.usedRows(), info.trainRows() + info.holdoutRows());
    assertTrue(info.holdoutRows() > 0 && info.trainRows() > info.holdoutRows(), info.toString());
    assertEquals(List.of("bad", "good"), info.classLabels().stream().sorted().toList());
    assertEquals(df.columns().length - 1, info.features().size());
  }

  private static Dataset<Row> credit() {
    return TestSupport.csv("credit_data.csv");
  }

  @Test
  void missingLabelColumn() {
    AutoMLInputException e = fails(credit(), AutoMLJobTest.small("status_typo"));
    assertTrue(e.getMessage().contains("'status_typo' does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("Status"), "lists the columns: " + e.getMessage());
    // the estimator checks it in transformSchema, before any job
    Dataset<Row> data = credit();
    assertTrue(TestSupport.jobsDuring(data::count) >= 1, "the counter sees a job");
    assertEquals(0, TestSupport.jobsDuring(() -> {
      AutoMLInputException e2 = assertThrows(AutoMLInputException.class,
          () -> new OmeletAutoML().setLabelCol("nope").fit(data));
      assertTrue(e2.getMessage().contains("'nope'"), e2.getMessage());
    }));
  }

  @Test
  void labelWithOneClass() {
    Dataset<Row> df = credit().filter("Status = 'good'");
    AutoMLInputException e = fails(df, AutoMLJobTest.small("Status"));
    assertTrue(e.getMessage().contains("only one class ('good'"), e.getMessage());
  }

  @Test
  void allNullLabel() {
    Dataset<Row> df = credit().withColumn("Status", lit(null).cast("string"));
    AutoMLInputException e = fails(df, AutoMLJobTest.small("Status"));
    assertTrue(e.getMessage().contains("'Status' is null in all"), e.getMessage());
  }

  @Test
  void unsupportedColumnTypesAreNamed() {
    Dataset<Row> df = credit().selectExpr("*", "array(Age, Time) AS age_time",
        "named_struct('a', Age) AS s", "map('k', Home) AS m");
    TestSupport.h2o();
    AutoMLInputException[] failure = new AutoMLInputException[1];
    assertEquals(0, TestSupport.jobsDuring(() -> failure[0] = fails(df, AutoMLJobTest.small("Status"))),
        "refused before any Spark job");
    AutoMLInputException e = failure[0];
    assertTrue(e.getMessage().contains("age_time (array<int>)"), e.getMessage());
    assertTrue(e.getMessage().contains("s (struct<a:int>)"), e.getMessage());
    assertTrue(e.getMessage().contains("m (map<string,string>)"), e.getMessage());
  }

  @Test
  void noUsableFeatures() {
    AutoMLInputException e = fails(credit().select("Status"), AutoMLJobTest.small("Status"));
    assertTrue(e.getMessage().contains("no usable feature columns"), e.getMessage());
    Dataset<Row> nulls = credit().select("Status").withColumn("empty", lit(null).cast("double"));
    AutoMLInputException e2 = fails(nulls, AutoMLJobTest.small("Status"));
    assertTrue(e2.getMessage().contains("no usable feature columns"), e2.getMessage());
    AutoMLInputException e3 = fails(credit().select("Status", "Age"),
        AutoMLJobTest.small("Status").setIgnoredCols("Age"));
    assertTrue(e3.getMessage().contains("no usable feature columns"), e3.getMessage());
  }

  @Test
  void tooFewRowsForTheFolds() {
    AutoMLInputException e = fails(credit().limit(8), AutoMLJobTest.small("Status").setNfolds(3));
    assertTrue(e.getMessage().contains("too few rows"), e.getMessage());
    assertTrue(e.getMessage().contains("3-fold"), e.getMessage());
    // enough rows in all, but a class too rare for every fold to see it
    Dataset<Row> rare = credit().filter("Status = 'bad'").limit(3)
        .union(credit().filter("Status = 'good'").limit(40));
    AutoMLInputException e2 = fails(rare, AutoMLJobTest.small("Status").setNfolds(5));
    assertTrue(e2.getMessage().contains("class 'bad'"), e2.getMessage());
    assertTrue(e2.getMessage().contains("5-fold"), e2.getMessage());
  }

  @Test
  void unknownPositiveClassListsTheClasses() {
    AutoMLInputException e = fails(credit(), AutoMLJobTest.small("Status").setPositiveClass("Good"));
    assertTrue(e.getMessage().contains("positive class 'Good' is not a class of label 'Status'"), e.getMessage());
    assertTrue(e.getMessage().contains("bad, good"), "lists the classes: " + e.getMessage());
  }

  @Test
  void regressionOnATextLabelAndBadSettings() {
    AutoMLInputException e = fails(credit(),
        AutoMLJobTest.small("Status").setProblemType("regression"));
    assertTrue(e.getMessage().contains("regression needs a numeric label"), e.getMessage());
    IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
        () -> new OmeletAutoML().setExcludeAlgos("RandomForest"));
    assertTrue(a.getMessage().contains("RandomForest"), a.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new OmeletAutoML().setNfolds(1));
    assertThrows(IllegalArgumentException.class, () -> new OmeletAutoML().setHoldoutFraction(1.5));
  }

  @Test
  void cancelStopsARunningJob() throws Exception {
    CountDownLatch training = new CountDownLatch(1);
    OmeletAutoML s = new OmeletAutoML().setLabelCol("Status").setMaxModels(30).setNfolds(3).setSeed(1)
        .setExcludeAlgos("DeepLearning");
    AutoMLJob job = new AutoMLJob(TestSupport.h2o(), s);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    job.addListener(new AutoMLListener() {
      @Override public void onProgress(Phase p, double pct, String msg) {
        if (p == Phase.TRAINING && pct > 12) training.countDown(); // models are being built
      }

      @Override public void onFailure(Throwable t) {
        failure.set(t);
      }
    });
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread runner = new Thread(() -> {
      try {
        job.run(credit());
      } catch (Throwable t) {
        thrown.set(t);
      }
    });
    runner.start();
    assertTrue(training.await(120, TimeUnit.SECONDS), "training never started");
    job.cancel();
    runner.join(120_000);
    assertTrue(thrown.get() instanceof AutoMLCancelledException, String.valueOf(thrown.get()));
    assertEquals(thrown.get(), failure.get());
  }

  @Test
  void aFailedModelDoesNotAbortTheJob() {
    // 150 rows in 2 folds: too few for the GBM defaults that ask for min_rows=100 per leaf split
    // (H2O fails those models); GLM still trains and the job completes.
    Dataset<Row> small = credit().limit(150);
    AutoMLResult r = new AutoMLJob(TestSupport.h2o(), new OmeletAutoML().setLabelCol("Status")
        .setMaxModels(4).setNfolds(2).setSeed(1).setIncludeAlgos("GBM", "GLM")).run(small);
    System.err.println("engine messages: " + r.engineMessages());
    assertTrue(r.models().stream().anyMatch(m -> m.algo().equals("glm")), "the GLM trained");
    // the failed GBMs are reported as H2O reports them, with the reason
    assertTrue(r.engineMessages().stream().anyMatch(m -> m.startsWith("ERROR ModelTraining") && m.contains("min_rows")),
        r.engineMessages().toString());
  }

  @Test
  void oddColumnNamesTrainAndScore() {
    StructType schema = new StructType()
        .add("label", DataTypes.StringType)
        .add("x.dotted", DataTypes.DoubleType)
        .add("with space", DataTypes.StringType)
        .add("flag", DataTypes.BooleanType)
        .add("when", DataTypes.DateType);
    java.util.Random rnd = new java.util.Random(5);
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      double x = rnd.nextGaussian();
      boolean flag = rnd.nextBoolean();
      String grp = rnd.nextBoolean() ? "a b" : "c.d";
      String label = x + (flag ? 0.5 : 0) + rnd.nextGaussian() * 0.3 > 0.2 ? "yes" : "no";
      rows.add(RowFactory.create(label, i % 10 == 0 ? null : x, grp, flag,
          java.sql.Date.valueOf(java.time.LocalDate.of(2024, 1, 1).plusDays(i))));
    }
    Dataset<Row> df = TestSupport.spark().createDataFrame(rows, schema);
    AutoMLModel m = new OmeletAutoML().setLabelCol("label").setMaxModels(1).setNfolds(2)
        .setSeed(3).setIncludeAlgos("GLM").fit(df);
    List<String> features = m.result().info().features();
    assertEquals(List.of("x.dotted", "with space", "flag", "when"), features);
    Dataset<Row> out = m.transform(df);
    assertEquals(300, out.filter("prediction IS NOT NULL").count());
    assertTrue(m.leader().holdout().get("auc") > 0.7, m.leader().holdout().values().toString());
  }
}
