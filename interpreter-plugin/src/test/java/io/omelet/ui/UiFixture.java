package io.omelet.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omelet.commands.CommandContext;
import io.omelet.commands.CommandResult;
import io.omelet.commands.CommandSink;
import io.omelet.commands.OmeletCommands;
import io.omelet.registry.ActiveRun;
import io.omelet.registry.Metric;
import io.omelet.registry.OmeletRegistry;
import io.omelet.testing.SharedSpark;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * A real registry for the UI's tests: one {@code omelet run} on mlc_churn (a parent run with model
 * children, artifacts, churn@champion), and an experiment of two runs logged with hostile names
 * and tags, a 10,000-point metric history, an HTML artifact with a script in it and a symbolic link
 * out of the run's artifact folder.
 */
public final class UiFixture {
  public static final String SCRIPT_TAG = "<script>alert('x')</script>";
  static final String IMG_ATTR = "\"><img src=x onerror=alert(1)>";
  static final String HOSTILE_EXPERIMENT = "hostile " + SCRIPT_TAG;

  public Path dir;
  public OmeletRegistry registry;
  public String parentRunId;
  public String hostileRunId;
  public String otherRunId;
  private static UiFixture shared;

  /** One fixture per test JVM: the UI's and the MLflow API's tests share its omelet run. */
  public static synchronized UiFixture shared() throws Exception {
    if (shared == null) shared = create();
    return shared;
  }

  static UiFixture create() throws Exception {
    UiFixture f = new UiFixture();
    SparkSession spark = SharedSpark.session();
    f.dir = Files.createTempDirectory("omelet-ui");
    String root = f.dir.resolve("registry").toString();
    Files.copy(SharedSpark.dataDir().resolve("mlc_churn.csv"), f.dir.resolve("churn.csv"));
    CommandSink.Collecting sink = CommandSink.collecting();
    // two models, however long they take: a time budget runs out on a loaded machine before any is built
    OmeletCommands.Outcome out = OmeletCommands.execute(CommandContext.of(spark, sink, f.dir), "run", "-f", "churn.csv",
        "--target", "churn", "--max-models", "2", "--max-runtime-secs", "0",
        "--exclude-algos", "DeepLearning,StackedEnsemble,GLM", "--seed", "7",
        "--explain-rows", "100", "--registry", root, "-o", "report");
    assertEquals(0, out.exitCode(), out.error());
    f.parentRunId = (String) sink.of(CommandResult.Values.class).get(0).values().get("run_id");
    f.registry = OmeletRegistry.open(spark, root);
    try (ActiveRun run = f.registry.startRun(HOSTILE_EXPERIMENT, "run " + IMG_ATTR)) {
      f.hostileRunId = run.runId();
      run.setTag("note", SCRIPT_TAG).setTag("quote", IMG_ATTR).logParam("algo", "GBM").logParam("depth", "3");
      run.logText("<html><body><script>document.title='pwned'</script>report</body></html>", "report/page.html");
      run.logText("a,b\n1,2\n", "tables/t.csv");
      List<Metric> points = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) points.add(new Metric("loss", Math.exp(-i / 2000.0) + (i == 5000 ? 3 : 0), 1_000_000L + i, i));
      f.registry.logBatch(run.runId(), points, Map.of(), Map.of());
      run.logMetric("auc", 0.61);
    }
    try (ActiveRun run = f.registry.startRun(HOSTILE_EXPERIMENT, "plain")) {
      f.otherRunId = run.runId();
      run.logParam("algo", "DRF").logParam("depth", "3").logMetric("auc", 0.72);
    }
    // a symbolic link inside the run's artifact folder that points outside it
    Path artifacts = Path.of(URI.create(f.registry.getRunInfo(f.hostileRunId).artifactUri()));
    Path secret = Files.writeString(f.dir.resolve("secret.txt"), "not for the UI");
    Files.createSymbolicLink(artifacts.resolve("tables").resolve("escape.txt"), secret);
    return f;
  }
}
