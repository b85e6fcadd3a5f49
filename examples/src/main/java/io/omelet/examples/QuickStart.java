package io.omelet.examples;

import io.omelet.automl.AutoMLModel;
import io.omelet.automl.OmeletAutoML;
import io.omelet.automl.RegistryTracker;
import io.omelet.profile.DataProfiler;
import io.omelet.profile.Profile;
import io.omelet.registry.ActiveRun;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.registry.Run;
import io.omelet.registry.SearchRunsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The main example, on embedded defaults: a local Spark session, a Delta registry in
 * ./omelet-registry and an H2O node inside this JVM. On lending_club it profiles the table
 * (report in omelet-out/), runs a small AutoML tracked in the registry, registers the leader as
 * lending_club@champion, searches the runs and scores rows with the model.
 *
 * <p>Usage: QuickStart [CSV [LABEL]] (default data/lending_club.csv, label Class).
 */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) throws Exception {
    int code = 0;
    try {
      run(args);
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    }
    // The embedded H2O node keeps non-daemon threads: leave explicitly.
    System.exit(code);
  }

  static void run(String[] args) throws Exception {
    Path csv = args.length > 0 ? Paths.get(args[0]) : DataDir.get().resolve("lending_club.csv");
    String label = args.length > 1 ? args[1] : "Class";
    String name = csv.getFileName().toString().replaceAll("\\.csv$", "").replaceAll("[^A-Za-z0-9_-]", "_");
    SparkSession spark = OmeletSpark.builder("omelet-quickstart", "local[*]").getOrCreate();
    OmeletRegistry registry = OmeletRegistry.open(spark);
    Dataset<Row> data = spark.read().option("header", "true").option("inferSchema", "true")
        .csv(csv.toString()).cache();
    say("data: %s, %d rows x %d columns; registry at %s", csv, data.count(), data.columns().length,
        registry.root());

    // 1. Profile, kept as artifacts of a run for later drift checks.
    Profile profile = new DataProfiler().profile(data);
    Path out = Files.createDirectories(Paths.get("omelet-out"));
    profile.writeHtml(out.resolve(name + "-profile.html"));
    try (ActiveRun run = registry.startRun(name, "profile")) {
      profile.logTo(registry, run.runId(), "profile");
      run.logInput(registry.fileRef(name, csv.toAbsolutePath().toString(), "profiled"));
    }
    say("profile: %d alerts, %d duplicate rows; report %s", profile.alerts.size(), profile.overview.duplicateRows,
        out.resolve(name + "-profile.html").toAbsolutePath());
    profile.alerts.stream().limit(8).forEach(a -> say("  alert %s", a));

    // 2. AutoML, tracked: a parent run, a child run per model, the leader registered as name@champion.
    AutoMLModel model = new OmeletAutoML().setLabelCol(label).setMaxModels(4).setNfolds(3).setSeed(42)
        .setExcludeAlgos("DeepLearning")
        .setExperimentName(name).setRegisteredModelName(name).setModelAlias("champion")
        .fit(data);
    say("leaderboard (%s):", model.problemType());
    model.leaderboard().show(10, false);
    say("holdout metrics of the leader %s: %s", model.leader().modelId(), model.leader().holdout().values());
    RegistryTracker.TrackedRun tracked = model.trackedRun().orElseThrow();
    say("tracked: parent run %s, %d model runs, registered %s (alias champion)", tracked.parentRunId(),
        tracked.childRunIds().size(), tracked.registeredVersion().uri());

    // 3. Search the runs as an MLflow user would.
    String exp = registry.getExperimentByName(name).experimentId();
    say("model runs of this job, best holdout first:");
    for (Run r : registry.searchRuns(SearchRunsRequest.in(exp)
        .filter("attributes.parent_run_id = '" + tracked.parentRunId() + "'")
        .orderBy(model.problemType().name().equals("REGRESSION") ? "metrics.holdout_rmse ASC" : "metrics.holdout_logloss ASC")
        .maxResults(10)).runs()) {
      say("  %-45s %-10s %s", r.info().runName(), r.data().params().get("algo"), r.data().metrics().entrySet().stream()
          .filter(e -> e.getKey().startsWith("holdout_")).limit(3).map(e -> e.getKey() + "=" + String.format("%.4f",
              e.getValue().value())).toList());
    }

    // 4. Score rows with the model (the MOJO of name@champion).
    say("scored rows:");
    model.transform(data.limit(5)).drop("probability").show(5, false);
    say("resolve it from anywhere: registry.resolveModel(\"%s@champion\") -> %s", name,
        registry.resolveModel(name + "@champion").location());

    // 5. The same model from plain SQL (spark.sql.extensions=io.omelet.scoring.OmeletSparkExtensions
    //    does this registration for spark-sql, Thrift and Zeppelin users).
    io.omelet.scoring.OmeletFunctions.register(spark);
    data.createOrReplaceTempView("scored_input");
    String sql = "SELECT omelet_predict('" + name + "@champion', *) AS p FROM scored_input LIMIT 5";
    say("SQL: %s", sql);
    spark.sql(sql).show(5, false);
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(format, args));
  }

}
