package io.omelet.commands;

import io.omelet.common.HtmlText;

import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.DatasetRef;
import io.omelet.registry.Experiment;
import io.omelet.registry.Metric;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunInfo;
import io.omelet.registry.RunPage;
import io.omelet.registry.SearchRunsRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code omelet runs search|show|compare|mark-failed}: the tracked runs. */
@Command(name = "runs", description = "Search, show and compare tracked runs, chart a metric's history; mark a dead run failed.",
    mixinStandardHelpOptions = true,
    subcommands = {RunsCommand.Search.class, RunsCommand.Show.class, RunsCommand.Compare.class,
        RunsCommand.History.class, RunsCommand.MarkFailed.class})
public final class RunsCommand extends OmeletCommands.Group {

  @Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Runs matching a filter, in the registry's search grammar (MLflow's, plus OR, NOT and parentheses).",
      footer = {"", "Examples:",
          "  omelet runs search --experiment churn --filter \"metrics.holdout_auc > 0.8\" --order-by \"metrics.holdout_auc DESC\"",
          "  omelet runs search --filter \"params.algo = 'GBM' or params.algo ILIKE 'xgb%'\" --format csv > runs.csv",
          "  omelet runs search --experiment churn --filter \"attributes.status = 'FAILED'\" --format json"})
  public static final class Search extends RegistryQuery {
    @Option(names = {"-e", "--experiment"}, paramLabel = "NAME", description = "experiment name or id; repeatable (default: every experiment)")
    List<String> experiments = new ArrayList<>();

    @Option(names = "--filter", paramLabel = "EXPR", description = "e.g. \"metrics.auc > 0.9 and tags.team = 'risk'\"")
    String filter;

    @Option(names = "--order-by", paramLabel = "KEY", description = "e.g. \"metrics.auc DESC\"; repeatable (default: newest first)")
    List<String> orderBy = new ArrayList<>();

    @Option(names = "--max-results", paramLabel = "N", defaultValue = "100", description = "most runs to list (default ${DEFAULT-VALUE})")
    int maxResults;

    @Override
    protected void run() {
      if (maxResults < 1 || maxResults > SearchRunsRequest.MAX_MAX_RESULTS) {
        throw usage("--max-results must be between 1 and " + SearchRunsRequest.MAX_MAX_RESULTS + ", got " + maxResults);
      }
      OmeletRegistry reg = openRegistry();
      List<String> ids = new ArrayList<>();
      if (experiments.isEmpty()) {
        for (Experiment e : reg.listExperiments()) ids.add(e.experimentId());
      } else {
        for (String e : experiments) ids.add(Registries.experiment(reg, e).experimentId());
      }
      if (ids.isEmpty()) {
        out().result(new CommandResult.Table("runs", List.of("run_id"), List.of(), 0));
        return;
      }
      SearchRunsRequest request = request(ids, filter, orderBy, maxResults);
      RunPage page = Registries.call(() -> reg.searchRuns(request));
      boolean wide = format.format != CommandContext.Format.TABLE;
      out().result(table(page.runs(), orderBy, wide, ctx().maxRows()));
      if (page.nextPageToken() != null) {
        text("more runs match: raise --max-results (now %d) to see them", maxResults);
      }
    }

    /** A search of these experiments, with the filter and ordering when given. */
    static SearchRunsRequest request(List<String> experimentIds, String filter, List<String> orderBy, int maxResults) {
      SearchRunsRequest req = SearchRunsRequest.in(experimentIds).maxResults(maxResults);
      if (filter != null && !filter.isBlank()) req = req.filter(filter);
      if (!orderBy.isEmpty()) req = req.orderBy(orderBy.toArray(new String[0]));
      return req;
    }

    /**
     * One row per run: its attributes, then metrics (on a terminal: the ones sorted by first, at
     * most eight), then, for CSV and JSON, every param and tag.
     */
    static CommandResult.Table table(List<Run> runs, List<String> orderBy, boolean wide, int maxRows) {
      Set<String> metricKeys = new LinkedHashSet<>();
      for (String o : orderBy) {
        String k = o.trim().split("\\s+")[0];
        if (k.startsWith("metrics.")) metricKeys.add(k.substring(8).replace("`", ""));
      }
      Set<String> all = new TreeSet<>();
      Set<String> params = new TreeSet<>();
      Set<String> tags = new TreeSet<>();
      for (Run r : runs) {
        all.addAll(r.data().metrics().keySet());
        params.addAll(r.data().params().keySet());
        tags.addAll(r.data().tags().keySet());
      }
      metricKeys.retainAll(all);
      for (String k : all) if (wide || metricKeys.size() < 8) metricKeys.add(k);
      List<String> paramKeys = wide ? new ArrayList<>(params) : params.contains("algo") ? List.of("algo") : List.of();
      List<String> tagKeys = wide ? new ArrayList<>(tags) : List.of();
      List<String> cols = new ArrayList<>(List.of("run_id", "run_name", "status", "start_time", "duration_s"));
      if (wide) cols.addAll(List.of("experiment_id", "parent_run_id", "user_id"));
      paramKeys.forEach(k -> cols.add("params." + k));
      metricKeys.forEach(k -> cols.add("metrics." + k));
      tagKeys.forEach(k -> cols.add("tags." + k));
      List<List<Object>> rows = new ArrayList<>();
      for (Run r : runs) {
        RunInfo i = r.info();
        List<Object> row = new ArrayList<>(List.of(i.runId(), String.valueOf(i.runName()), i.status().name(),
            Tables.time(i.startTime())));
        row.add(i.endTime() == null ? null : (i.endTime() - i.startTime()) / 1000.0);
        if (wide) {
          row.add(i.experimentId());
          row.add(i.parentRunId());
          row.add(i.userId());
        }
        for (String k : paramKeys) row.add(r.data().params().get(k));
        for (String k : metricKeys) {
          Metric m = r.data().metrics().get(k);
          row.add(m == null ? null : m.value());
        }
        for (String k : tagKeys) row.add(r.data().tags().get(k));
        rows.add(row);
      }
      return Tables.of("runs", cols, rows, maxRows);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "One run: attributes, params, latest metrics, tags, inputs and artifacts.",
      footer = {"", "Example:", "  omelet runs show 0193a1b2c3d4e5f60718293a4b5c6d7e"})
  public static final class Show extends RegistryQuery {
    @Parameters(paramLabel = "RUN_ID", description = "the run")
    String runId;

    @Override
    protected void run() {
      OmeletRegistry reg = openRegistry();
      Run r = Registries.call(() -> reg.getRun(runId));
      RunInfo i = r.info();
      LinkedHashMap<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("run_id", i.runId());
      attrs.put("run_name", i.runName());
      attrs.put("experiment_id", i.experimentId());
      attrs.put("status", i.status().name());
      attrs.put("start_time", Tables.time(i.startTime()));
      attrs.put("end_time", Tables.time(i.endTime()));
      attrs.put("duration_s", i.endTime() == null ? null : (i.endTime() - i.startTime()) / 1000.0);
      attrs.put("user_id", i.userId());
      attrs.put("parent_run_id", i.parentRunId());
      attrs.put("lifecycle_stage", i.lifecycleStage());
      attrs.put("artifact_uri", i.artifactUri());
      out().result(new CommandResult.Values("run " + i.runId(), attrs));
      List<List<Object>> params = new ArrayList<>();
      r.data().params().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> params.add(List.of(e.getKey(), e.getValue())));
      out().result(Tables.of("params", List.of("key", "value"), params, ctx().maxRows()));
      List<List<Object>> metrics = new ArrayList<>();
      r.data().metrics().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> metrics.add(List.of(e.getKey(), e.getValue().value(), e.getValue().step(),
              Tables.time(e.getValue().timestamp()))));
      out().result(Tables.of("metrics (latest)", List.of("key", "value", "step", "timestamp"), metrics, ctx().maxRows()));
      List<List<Object>> tags = new ArrayList<>();
      r.data().tags().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> tags.add(List.of(e.getKey(), e.getValue())));
      out().result(Tables.of("tags", List.of("key", "value"), tags, ctx().maxRows()));
      List<List<Object>> inputs = new ArrayList<>();
      for (DatasetRef d : r.data().inputs()) {
        List<Object> row = new ArrayList<>();
        row.add(d.name());
        row.add(d.kind().name());
        row.add(d.path());
        row.add(d.version());
        row.add(d.digest());
        row.add(d.context());
        inputs.add(row);
      }
      if (!inputs.isEmpty()) {
        out().result(Tables.of("inputs", List.of("name", "kind", "path", "version", "digest", "context"), inputs,
            ctx().maxRows()));
      }
      List<List<Object>> files = new ArrayList<>();
      listArtifacts(reg, i.runId(), null, files, 0);
      if (!files.isEmpty()) out().result(Tables.of("artifacts", List.of("path", "bytes"), files, ctx().maxRows()));
    }

    private static void listArtifacts(OmeletRegistry reg, String runId, String path, List<List<Object>> into, int depth) {
      for (ArtifactInfo a : reg.listArtifacts(runId, path)) {
        if (a.isDir()) {
          if (depth < 4) listArtifacts(reg, runId, a.path(), into, depth + 1);
        } else {
          List<Object> row = new ArrayList<>();
          row.add(a.path());
          row.add(a.fileSize());
          into.add(row);
        }
      }
    }
  }

  @Command(name = "compare", mixinStandardHelpOptions = true,
      description = "Runs side by side: attributes, params and metrics, one column per run; 'differs' marks where they disagree. The runs are named, or found by a search (the best N of an experiment).",
      footer = {"", "Examples:", "  omelet runs compare RUN_A RUN_B RUN_C --only-differences",
          "  omelet runs compare --experiment churn --filter \"metrics.holdout_auc > 0\" --order-by \"metrics.holdout_auc DESC\" --max-results 3"})
  public static final class Compare extends RegistryQuery {
    @Parameters(paramLabel = "RUN_ID", arity = "0..*", description = "two or more runs (or none, with --experiment)")
    List<String> runIds = new ArrayList<>();

    @Option(names = {"-e", "--experiment"}, paramLabel = "NAME", description = "instead of run ids: the runs of this experiment that match --filter")
    String experiment;

    @Option(names = "--filter", paramLabel = "EXPR", description = "with --experiment: which runs (the registry's search grammar)")
    String filter;

    @Option(names = "--order-by", paramLabel = "KEY", description = "with --experiment: e.g. \"metrics.holdout_auc DESC\" (default: newest first)")
    List<String> orderBy = new ArrayList<>();

    @Option(names = "--max-results", paramLabel = "N", defaultValue = "3", description = "with --experiment: how many runs (default ${DEFAULT-VALUE})")
    int maxResults;

    @Option(names = "--only-differences", description = "show only the rows where the runs differ")
    boolean onlyDifferences;

    @Override
    protected void run() {
      if (experiment == null && runIds.size() < 2) throw usage("name two or more runs, or give --experiment to pick them by a search");
      if (experiment != null && !runIds.isEmpty()) throw usage("give run ids or --experiment, not both");
      if (maxResults < 2 || maxResults > 100) throw usage("--max-results must be between 2 and 100, got " + maxResults);
      OmeletRegistry reg = openRegistry();
      if (experiment != null) {
        SearchRunsRequest request = Search.request(List.of(Registries.experiment(reg, experiment).experimentId()),
            filter, orderBy, maxResults);
        runIds = Registries.call(() -> reg.searchRuns(request)).runs().stream().map(Run::runId).toList();
        if (runIds.size() < 2) {
          throw new CommandException(runIds.size() + " run(s) of experiment '" + experiment + "' match; comparing needs two");
        }
      }
      List<String> ids = runIds;
      var df = Registries.call(() -> reg.compareRuns(ids));
      if (onlyDifferences) df = df.filter("differs");
      // metrics before the (many) params: what a comparison is read for comes first
      df = df.withColumn("_order", org.apache.spark.sql.functions.expr(
              "CASE section WHEN 'attribute' THEN 0 WHEN 'metric' THEN 1 ELSE 2 END"))
          .orderBy("_order", "key").drop("_order");
      CommandResult.Table all = Tables.of("runs compared", df, Integer.MAX_VALUE);
      out().result(Tables.of("runs compared", all.columns(), all.rows(), ctx().maxRows()));
      out().result(new CommandResult.Html("runs compared", compareHtml(all, runIds)));
    }

    /** The comparison as a table that marks differences and the best value, and a bar chart per metric. */
    static String compareHtml(CommandResult.Table t, List<String> runIds) {
      StringBuilder b = new StringBuilder("<div class=\"omelet-compare\" style=\"font-family:sans-serif;font-size:13px\">");
      b.append("<table style=\"border-collapse:collapse\"><tr><th style=\"text-align:left;padding:3px 8px\">section</th>")
          .append("<th style=\"text-align:left;padding:3px 8px\">key</th>");
      for (String id : runIds) b.append("<th style=\"text-align:left;padding:3px 8px\">").append(HtmlText.escape(Charts.shorten(id, 12))).append("</th>");
      b.append("</tr>");
      List<String> chartKeys = new ArrayList<>();
      List<double[]> chartValues = new ArrayList<>();
      for (List<Object> row : t.rows()) {
        boolean differs = Boolean.TRUE.equals(row.get(row.size() - 1));
        String section = String.valueOf(row.get(0)), key = String.valueOf(row.get(1));
        double[] values = new double[runIds.size()];
        int best = -1;
        if (section.equals("metric")) {
          for (int i = 0; i < runIds.size(); i++) values[i] = parse(row.get(i + 2));
          boolean lowerIsBetter = key.matches("(?i).*(loss|rmse|mse|mae|rmsle|error|deviance|time|_ms|_s)$");
          for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) continue;
            if (best < 0 || (lowerIsBetter ? values[i] < values[best] : values[i] > values[best])) best = i;
          }
          if (differs && best >= 0) {
            chartKeys.add(key);
            chartValues.add(values);
          }
        }
        b.append(differs ? "<tr style=\"background:#fff8e1\">" : "<tr>");
        b.append("<td style=\"padding:3px 8px;color:#777\">").append(HtmlText.escape(section)).append("</td><td style=\"padding:3px 8px\">")
            .append(HtmlText.escape(key)).append("</td>");
        for (int i = 0; i < runIds.size(); i++) {
          Object v = row.get(i + 2);
          String cell = v == null ? "" : section.equals("metric") ? Charts.num(values[i]) : String.valueOf(v);
          b.append("<td style=\"padding:3px 8px").append(i == best && differs ? ";font-weight:bold" : "").append("\">")
              .append(HtmlText.escape(Charts.shorten(cell, 60))).append("</td>");
        }
        b.append("</tr>");
      }
      b.append("</table><p style=\"color:#555\">Highlighted: the runs differ; bold: the best value of a metric.</p><div>");
      for (int c = 0; c < Math.min(chartKeys.size(), 24); c++) b.append(Charts.bars(chartKeys.get(c), runIds, chartValues.get(c)));
      return b.append("</div></div>").toString();
    }

    private static double parse(Object v) {
      if (v == null) return Double.NaN;
      try {
        return Double.parseDouble(String.valueOf(v));
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true,
      description = "A metric's history (every logged value) for one or more runs: the points as a table and, in a notebook, a line chart.",
      footer = {"", "Examples:",
          "  omelet runs history RUN_A RUN_B --metric training_rmse",
          "  omelet runs history RUN_A --metric loss --x time --format csv"})
  public static final class History extends RegistryQuery {
    enum XAxis { step, time, relative }

    @Parameters(paramLabel = "RUN_ID", arity = "1..*", description = "the runs")
    List<String> runIds;

    @Option(names = {"-m", "--metric"}, required = true, paramLabel = "KEY", description = "the metric")
    String metric;

    @Option(names = "--x", paramLabel = "AXIS", defaultValue = "step",
        description = "x axis: step, time (epoch ms) or relative (seconds since the run's first point); default ${DEFAULT-VALUE}")
    XAxis x;

    @Override
    protected void run() {
      OmeletRegistry reg = openRegistry();
      List<List<Object>> rows = new ArrayList<>();
      List<Charts.Series> series = new ArrayList<>();
      for (String id : runIds) {
        Run r = Registries.call(() -> reg.getRun(id));
        List<Metric> h = Registries.call(() -> reg.getMetricHistory(id, metric));
        if (h.isEmpty()) {
          throw new CommandException("run " + id + " has no metric '" + metric + "'; its metrics: "
              + String.join(", ", new TreeSet<>(r.data().metrics().keySet())));
        }
        List<Metric> sorted = new ArrayList<>(h);
        sorted.sort((a, b) -> a.step() != b.step() ? Long.compare(a.step(), b.step()) : Long.compare(a.timestamp(), b.timestamp()));
        long t0 = sorted.stream().mapToLong(Metric::timestamp).min().orElse(0);
        double[] xs = new double[sorted.size()], ys = new double[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
          Metric m = sorted.get(i);
          xs[i] = switch (x) {
            case step -> m.step();
            case time -> m.timestamp();
            case relative -> (m.timestamp() - t0) / 1000.0;
          };
          ys[i] = m.value();
          rows.add(List.of(id, m.step(), Tables.time(m.timestamp()), m.value()));
        }
        String name = r.info().runName() == null ? id : r.info().runName() + " (" + Charts.shorten(id, 8) + ")";
        series.add(new Charts.Series(name, xs, ys));
      }
      out().result(Tables.of(metric + " history", List.of("run_id", "step", "timestamp", "value"), rows, ctx().maxRows()));
      out().result(new CommandResult.Html(metric + " history", Charts.lines(metric + " by " + x, x.name(), series)));
    }
  }

  @Command(name = "mark-failed", mixinStandardHelpOptions = true,
      description = "Ends a run left RUNNING by a process that died: status FAILED, with the reason as its error tag.",
      footer = {"", "Example:", "  omelet runs mark-failed 0193a1b2c3d4e5f60718293a4b5c6d7e --reason \"driver lost\""})
  public static final class MarkFailed extends OmeletSubcommand {
    @Parameters(paramLabel = "RUN_ID", description = "the run")
    String runId;

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "marked failed from the command line",
        description = "why (default: ${DEFAULT-VALUE})")
    String reason;

    @Mixin Options.Registry registry;

    @Override
    protected void run() {
      OmeletRegistry reg = ctx().registry(registry.root);
      RunInfo before = Registries.call(() -> reg.getRunInfo(runId));
      if (before.status() != io.omelet.registry.RunStatus.RUNNING) {
        throw new CommandException("run " + runId + " is " + before.status() + ", not RUNNING: nothing to mark");
      }
      Registries.run(() -> reg.markFailed(runId, reason));
      text("run %s marked FAILED: %s", runId, reason);
    }
  }
}
