package io.omelet.examples.bench;

import io.omelet.registry.OmeletRegistry;
import io.omelet.ui.UiServer;
import java.util.ArrayList;
import java.util.List;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * {@code bin/bench mlflow}: MLflow's own Java client against {@code omelet ui}'s MLflow REST API on
 * loopback, on the registry benchmark's 100,000 runs x 20 metrics x 10 params:
 * <ul>
 *   <li>{@code mlflow_log_batch_points_per_s}: 100 log-batch calls of 1,000 metric points each
 *       (one metric with steps), each call one Delta commit;</li>
 *   <li>{@code mlflow_search_ms}: {@code searchRuns} with a selective filter over the 100,000 runs,
 *       every matching run returned with its data (median of 5 after 2 warm-ups; goal under 500 ms);</li>
 *   <li>{@code mlflow_get_history_ms}: {@code getMetricHistory} of the 100,000-point metric just
 *       logged, whole (median of 5 after 2 warm-ups; goal under 1,000 ms).</li>
 * </ul>
 */
public final class MlflowBench implements Benchmark {
  static final int BATCHES = 100;
  static final int BATCH_POINTS = 1000;
  static final String FILTER = "metrics.auc > 0.99 and params.algo = 'GBM'";

  @Override
  public String name() {
    return "mlflow";
  }

  @Override
  public String description() {
    return "MLflow's Java client on Omelet's MLflow API: log-batch, search over 100,000 runs, get-history";
  }

  @Override
  public void run(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : RegistryBench.RUNS;
    RegistryBench.Filled filled = RegistryBench.filledRegistry("mlflow", runs);
    OmeletRegistry registry = filled.registry();
    String exp = filled.experimentId();
    Figures.print("mlflow_runs", runs);
    try (UiServer server = UiServer.start(registry, "127.0.0.1", 0, true);
         MlflowClient client = new MlflowClient(server.uri().toString().replaceAll("/$", ""))) {
      String logged = client.createRun(client.createExperiment("bench-logging")).getRunId();
      long start = System.nanoTime();
      for (int b = 0; b < BATCHES; b++) {
        List<Service.Metric> points = new ArrayList<>(BATCH_POINTS);
        for (int i = 0; i < BATCH_POINTS; i++) {
          long step = (long) b * BATCH_POINTS + i;
          points.add(Service.Metric.newBuilder().setKey("loss").setValue(1.0 / (1 + step))
              .setTimestamp(1_700_000_000_000L + step).setStep(step).build());
        }
        client.logBatch(logged, points, List.of(), List.of());
      }
      double seconds = Figures.since(start);
      Figures.print("mlflow_log_batch_points", (long) BATCHES * BATCH_POINTS);
      Figures.print("mlflow_log_batch_points_per_s", BATCHES * BATCH_POINTS / seconds);

      int expected = registry.searchAllRuns(io.omelet.registry.SearchRunsRequest.in(exp).filter(FILTER),
          io.omelet.registry.SearchRunsRequest.MAX_MAX_RESULTS).size();
      double[] search = time(() -> {
        int got = client.searchRuns(List.of(exp), FILTER).size();
        if (got != expected) throw new IllegalStateException("search found " + got + " runs, the registry " + expected);
      });
      Figures.print("mlflow_search_matches", expected);
      Figures.print("mlflow_search_ms", Figures.median(search));

      double[] history = time(() -> {
        int got = client.getMetricHistory(logged, "loss").size();
        if (got != BATCHES * BATCH_POINTS) throw new IllegalStateException("history has " + got + " points");
      });
      Figures.print("mlflow_get_history_ms", Figures.median(history));
    }
  }

  /** Milliseconds of 5 calls after 2 warm-ups. */
  private static double[] time(Runnable call) {
    double[] ms = new double[5];
    for (int i = -2; i < ms.length; i++) {
      long s = System.nanoTime();
      call.run();
      if (i >= 0) ms[i] = (System.nanoTime() - s) / 1e6;
    }
    return ms;
  }
}
