package io.omelet.examples.bench;

import io.omelet.registry.Metric;
import io.omelet.registry.OmeletRegistry;
import io.omelet.ui.UiServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/bench ui}: {@code omelet ui}'s JSON API on the registry benchmark's 100,000 runs x 20
 * metrics x 10 params, over HTTP on loopback (so each figure is the server's time plus a loopback
 * round trip): the first page of a selective filter ({@code ui_runs_filter_ms}), the first page
 * sorted by a metric ({@code ui_runs_sort_ms}), a 100,000-point metric history downsampled to 1,000
 * points ({@code ui_history_ms}), and the experiments list with its run counts
 * ({@code ui_experiments_ms}); medians of 7 after 3 warm-ups. Goal: under 300 ms each.
 */
public final class UiBench implements Benchmark {
  @Override
  public String name() {
    return "ui";
  }

  @Override
  public String description() {
    return "omelet ui's runs, history and experiments API over 100,000 runs";
  }

  @Override
  public void run(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : RegistryBench.RUNS;
    RegistryBench.Filled filled = RegistryBench.filledRegistry("ui", runs);
    OmeletRegistry registry = filled.registry();
    String exp = filled.experimentId();
    String historyRun = RegistryBench.runId(0);
    List<Metric> points = new ArrayList<>(100_000);
    for (int i = 0; i < 100_000; i++) points.add(new Metric("loss", 1.0 / (1 + i) + (i % 997 == 0 ? 0.5 : 0), 1_700_000_000_000L + i, i));
    for (int from = 0; from < points.size(); from += 50_000) {
      registry.logBatch(historyRun, points.subList(from, Math.min(points.size(), from + 50_000)), Map.of(), Map.of());
    }
    Figures.print("ui_runs", runs);
    Figures.print("ui_history_points", points.size());
    HttpClient client = HttpClient.newHttpClient();
    try (UiServer server = UiServer.start(registry, "127.0.0.1", 0, false)) {
      URI base = server.uri();
      String filter = base + "api/runs?experiment_id=" + exp + "&max_results=50&filter="
          + enc("metrics.auc > 0.99 and params.algo = 'GBM'");
      String sort = base + "api/runs?experiment_id=" + exp + "&max_results=50&order_by=" + enc("metrics.metric_3 DESC");
      String history = base + "api/metric-history?run_id=" + historyRun + "&key=loss&points=1000";
      String experiments = base + "api/experiments";
      Figures.print("ui_runs_filter_ms", medianMs(client, filter, "\"run_id\""));
      Figures.print("ui_runs_sort_ms", medianMs(client, sort, "\"run_id\""));
      Figures.print("ui_history_ms", medianMs(client, history, "\"points\":100000"));
      Figures.print("ui_experiments_ms", medianMs(client, experiments, "\"run_count\":" + runs));
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Median of 7 timed GETs after 3 warm-ups; each answer must be 200 and contain {@code expect}. */
  private static double medianMs(HttpClient client, String url, String expect) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).GET().build();
    double[] ms = new double[7];
    for (int i = -3; i < ms.length; i++) {
      long s = System.nanoTime();
      HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
      double took = (System.nanoTime() - s) / 1e6;
      if (r.statusCode() != 200 || !r.body().contains(expect)) {
        throw new IllegalStateException(url + " answered " + r.statusCode() + ": "
            + r.body().substring(0, Math.min(300, r.body().length())));
      }
      if (i >= 0) ms[i] = took;
    }
    return Figures.median(ms);
  }
}
