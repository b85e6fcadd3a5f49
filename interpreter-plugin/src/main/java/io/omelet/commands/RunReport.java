package io.omelet.commands;

import static io.omelet.common.HtmlText.escape;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.omelet.profile.Profile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The output folder of {@code omelet run}: one self-contained index.html (inline CSS and SVG, no
 * network) tying together the data, the leaderboard, the leader's holdout metrics, SHAP plots, the
 * profile and snippets to score the model; plus leaderboard.csv, metrics.json, profile.html/json
 * and plots/*.svg. Every section is optional: a run whose SHAP failed gets a report that says so.
 */
public final class RunReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private String source;
  private long rows;
  private int columns;
  private String target, problemType, positiveClass, positiveReason;
  private String experiment, runId, modelUri;
  private Integer version;
  private long durationMs;
  private Profile profile;
  private List<String> lbColumns = List.of();
  private List<List<Object>> lbRows = List.of();
  private String leaderId;
  private String holdoutModel;
  private Map<String, Double> holdout;
  private String[] labels;
  private long[][] confusion;
  private String shapModel, shapNote, shapUnavailable;
  private List<String> shapFeatures = List.of();
  private double[] shapMeanAbs = new double[0];
  private LinkedHashMap<String, String> plots = new LinkedHashMap<>();
  private Map<String, Object> exampleRow;
  private List<String> warnings = List.of();

  public RunReport source(String description, long rows, int columns) {
    this.source = description;
    this.rows = rows;
    this.columns = columns;
    return this;
  }

  public RunReport target(String column, String problemType, String positiveClass, String positiveClassReason) {
    this.target = column;
    this.problemType = problemType;
    this.positiveClass = positiveClass;
    this.positiveReason = positiveClassReason;
    return this;
  }

  public RunReport tracking(String experiment, String runId, String modelUri, Integer version, long durationMs) {
    this.experiment = experiment;
    this.runId = runId;
    this.modelUri = modelUri;
    this.version = version;
    this.durationMs = durationMs;
    return this;
  }

  public RunReport profile(Profile p) {
    this.profile = p;
    return this;
  }

  public RunReport leaderboard(List<String> columns, List<List<Object>> rows, String leaderId) {
    this.lbColumns = List.copyOf(columns);
    this.lbRows = new ArrayList<>(rows);
    this.leaderId = leaderId;
    return this;
  }

  public RunReport holdout(String modelId, Map<String, Double> metrics, String[] labels, long[][] confusion) {
    this.holdoutModel = modelId;
    this.holdout = new LinkedHashMap<>(metrics);
    this.labels = labels;
    this.confusion = confusion;
    return this;
  }

  public RunReport shap(String explainedModelId, String note, List<String> features, double[] meanAbs,
      LinkedHashMap<String, String> plotsByFileName) {
    this.shapModel = explainedModelId;
    this.shapNote = note;
    this.shapFeatures = List.copyOf(features);
    this.shapMeanAbs = meanAbs.clone();
    this.plots = new LinkedHashMap<>(plotsByFileName);
    return this;
  }

  public RunReport shapUnavailable(String reason) {
    this.shapUnavailable = reason;
    return this;
  }

  public RunReport snippets(String modelUri, Map<String, Object> exampleRow) {
    this.modelUri = modelUri;
    this.exampleRow = exampleRow;
    return this;
  }

  public RunReport warnings(List<String> lines) {
    this.warnings = List.copyOf(lines);
    return this;
  }

  /** Writes the folder's files; returns them. */
  public List<Path> write(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    if (profile != null) {
      files.add(profile.writeHtml(dir.resolve("profile.html")));
      files.add(profile.writeJson(dir.resolve("profile.json")));
    }
    if (!plots.isEmpty()) {
      Path pd = Files.createDirectories(dir.resolve("plots"));
      for (Map.Entry<String, String> e : plots.entrySet()) {
        files.add(Files.writeString(pd.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8));
      }
    }
    files.add(Files.writeString(dir.resolve("leaderboard.csv"), leaderboardCsv(), StandardCharsets.UTF_8));
    files.add(Files.writeString(dir.resolve("metrics.json"), JSON.writeValueAsString(metrics()), StandardCharsets.UTF_8));
    files.add(Files.writeString(dir.resolve("index.html"), html(), StandardCharsets.UTF_8));
    return files;
  }

  String leaderboardCsv() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.join(",", lbColumns.stream().map(RunReport::csv).toList())).append('\n');
    for (List<Object> r : lbRows) {
      List<String> c = new ArrayList<>();
      for (Object v : r) c.add(v == null ? "" : csv(String.valueOf(v)));
      sb.append(String.join(",", c)).append('\n');
    }
    return sb.toString();
  }

  private Map<String, Object> metrics() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", runId);
    m.put("experiment", experiment);
    m.put("model_uri", modelUri);
    m.put("model_version", version);
    m.put("problem_type", problemType);
    m.put("target", target);
    m.put("positive_class", positiveClass);
    m.put("leader", leaderId);
    Map<String, Object> h = new LinkedHashMap<>();
    if (holdout != null) holdout.forEach((k, v) -> h.put(k, v == null || v.isNaN() || v.isInfinite() ? null : v));
    m.put("holdout_model", holdoutModel);
    m.put("holdout", h);
    Map<String, Object> lb = new LinkedHashMap<>();
    for (List<Object> r : lbRows) {
      if (leaderId != null && r.contains(leaderId)) {
        for (int i = 0; i < lbColumns.size() && i < r.size(); i++) lb.put(lbColumns.get(i), r.get(i));
      }
    }
    m.put("leaderboard_leader", lb);
    m.put("explained_model", shapModel);
    m.put("duration_ms", durationMs);
    return m;
  }

  /** The report as its own page (index.html). */
  String html() {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Omelet run ")
        .append(escape(experiment)).append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}");
    for (String rule : STYLE) b.append(rule);
    b.append("</style></head><body>");
    body(b, true);
    b.append("</body></html>\n");
    return b.toString();
  }

  /**
   * The report as a fragment for a notebook paragraph: styles scoped to the fragment, no links to
   * the report folder's files (the folder is on the interpreter's host; its path is shown).
   */
  public String fragment(Path folder) {
    StringBuilder b = new StringBuilder("<div class=\"omelet-run\"><style>");
    for (String rule : STYLE) {
      // ".omelet-run h2{...}" for "h2{...}", each selector of a rule scoped
      int brace = rule.indexOf('{');
      String[] selectors = rule.substring(0, brace).split(",");
      for (int i = 0; i < selectors.length; i++) selectors[i] = ".omelet-run " + selectors[i].trim();
      b.append(String.join(",", selectors)).append(rule.substring(brace));
    }
    b.append(".omelet-run{font-family:system-ui,sans-serif;color:#222}</style>");
    body(b, false);
    b.append("<p class=\"note\">Report folder: <code>").append(escape(folder.toString())).append("</code></p></div>\n");
    return b.toString();
  }

  private static final String[] STYLE = {
      "header{background:#263238;color:#fff;padding:16px 28px}", "header h1{margin:0 0 6px;font-size:22px}",
      "header .kv span{margin-right:22px;font-size:13px;opacity:.9}", "main{padding:8px 28px 40px}",
      "section.card{background:#fff;border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:14px 18px}",
      "h2{font-size:17px;margin:0 0 10px}", "table.t{border-collapse:collapse;font-size:13px}",
      "table.t th,table.t td{border-bottom:1px solid #eee;padding:4px 10px;text-align:left}",
      "table.t td.n{text-align:right;font-variant-numeric:tabular-nums}", "tr.leader{background:#fff8e1;font-weight:600}",
      "pre{background:#f4f4f4;padding:10px;overflow:auto;font-size:12px}", ".note{color:#555;font-size:13px}",
      ".plots svg{max-width:100%;height:auto}", ".warn{color:#8a4b00}", "nav a{margin-right:14px;font-size:13px}"};

  private void body(StringBuilder b, boolean standalone) {
    b.append("<header><h1>Omelet run: ").append(escape(experiment)).append("</h1><div class=\"kv\">");
    kv(b, "data", source + (rows > 0 ? " (" + rows + " rows x " + columns + " columns)" : ""));
    kv(b, "target", target);
    kv(b, "problem", problemType == null ? null : problemType.toLowerCase(Locale.ROOT));
    if (positiveClass != null) kv(b, "positive class", positiveClass + (positiveReason == null ? "" : " (" + positiveReason + ")"));
    kv(b, "run id", runId);
    kv(b, "model", modelUri + (version == null ? "" : " (version " + version + ")"));
    kv(b, "duration", String.format(Locale.ROOT, "%.1f s", durationMs / 1000.0));
    b.append("</div></header><main>");
    if (standalone) {
      // in a notebook, #anchors would change Zeppelin's own route
      b.append("<nav><a href=\"#holdout\">holdout</a><a href=\"#leaderboard\">leaderboard</a>")
          .append("<a href=\"#shap\">SHAP</a><a href=\"#score\">score it</a><a href=\"#profile\">data profile</a></nav>");
    }

    b.append("<section class=\"card\" id=\"holdout\"><h2>Holdout metrics of the leader</h2>");
    if (holdout == null) {
      b.append("<p class=\"note\">No holdout metrics (no rows were held out, or the leader could not be scored).</p>");
    } else {
      b.append("<p class=\"note\">").append(escape(holdoutModel)).append(", scored through its MOJO on rows it did not train on")
          .append(positiveClass != null ? "; binary figures describe class <b>" + escape(positiveClass) + "</b>" : "").append(".</p>");
      b.append("<table class=\"t\"><tr><th>metric</th><th>value</th></tr>");
      holdout.forEach((k, v) -> b.append("<tr><td>").append(escape(k)).append("</td><td class=\"n\">").append(num(v)).append("</td></tr>"));
      b.append("</table>");
      if (confusion != null && labels != null) {
        b.append("<h3 style=\"font-size:14px\">Confusion matrix (rows: actual, columns: predicted)</h3><table class=\"t\"><tr><th></th>");
        for (String l : labels) b.append("<th>").append(escape(l)).append("</th>");
        b.append("</tr>");
        for (int i = 0; i < confusion.length; i++) {
          b.append("<tr><th>").append(escape(labels[i])).append("</th>");
          for (long c : confusion[i]) b.append("<td class=\"n\">").append(c).append("</td>");
          b.append("</tr>");
        }
        b.append("</table>");
      }
    }
    b.append("</section>");

    b.append("<section class=\"card\" id=\"leaderboard\"><h2>Leaderboard</h2><p class=\"note\">Also in ").append(standalone ? "<a href=\"leaderboard.csv\">leaderboard.csv</a>" : "leaderboard.csv").append("; the leader is highlighted.</p><table class=\"t\"><tr>");
    for (String c : lbColumns) b.append("<th>").append(escape(c)).append("</th>");
    b.append("</tr>");
    for (List<Object> r : lbRows) {
      b.append(leaderId != null && r.contains(leaderId) ? "<tr class=\"leader\">" : "<tr>");
      for (Object v : r) {
        b.append(v instanceof Number ? "<td class=\"n\">" : "<td>").append(v instanceof Double d ? num(d) : escape(v == null ? "" : String.valueOf(v))).append("</td>");
      }
      b.append("</tr>");
    }
    b.append("</table></section>");

    b.append("<section class=\"card\" id=\"shap\"><h2>What drives the predictions (SHAP)</h2>");
    if (shapModel == null) {
      b.append("<p class=\"note\">SHAP values are not available: ").append(escape(shapUnavailable == null ? "not computed" : shapUnavailable)).append("</p>");
    } else {
      b.append("<p class=\"note\">Explained: <b>").append(escape(shapModel)).append("</b>. ").append(escape(shapNote)).append("</p>");
      b.append("<table class=\"t\"><tr><th>feature</th><th>mean |SHAP|</th></tr>");
      Integer[] order = new Integer[shapMeanAbs.length];
      for (int i = 0; i < order.length; i++) order[i] = i;
      java.util.Arrays.sort(order, (x, y) -> Double.compare(shapMeanAbs[y], shapMeanAbs[x]));
      for (int i : order) b.append("<tr><td>").append(escape(shapFeatures.get(i))).append("</td><td class=\"n\">").append(num(shapMeanAbs[i])).append("</td></tr>");
      b.append("</table><div class=\"plots\">");
      for (Map.Entry<String, String> e : plots.entrySet()) {
        b.append("<figure>").append(e.getValue());
        if (standalone) {
          b.append("<figcaption class=\"note\"><a href=\"plots/").append(escape(e.getKey()))
              .append("\">open plots/").append(escape(e.getKey())).append(" as a file</a></figcaption>");
        }
        b.append("</figure>");
      }
      b.append("</div>");
    }
    b.append("</section>");

    b.append("<section class=\"card\" id=\"score\"><h2>Score new data with this model</h2>");
    b.append("<p class=\"note\">From SQL (start Spark with <code>--conf spark.sql.extensions=io.omelet.scoring.OmeletSparkExtensions</code>, or call <code>OmeletFunctions.register(spark)</code>):</p>");
    b.append("<pre>SELECT omelet_predict('").append(escape(modelUri)).append("', *) AS p FROM new_rows</pre>");
    b.append("<p class=\"note\">Over REST:</p><pre>bin/omelet serve --model ").append(escape(modelUri)).append(" --port 8080\ncurl -s localhost:8080/predict -H 'Content-Type: application/json' -d '")
        .append(escape(restBody())).append("'</pre>");
    b.append("<p class=\"note\">From Java or a Spark ML pipeline:</p><pre>Dataset&lt;Row&gt; scored = new MojoScorer().setModelUri(\"")
        .append(escape(modelUri)).append("\").transform(newRows);</pre>");
    b.append("<p class=\"note\">From the command line:</p><pre>bin/omelet predict --model ").append(escape(modelUri)).append(" -f new_rows.csv -o scored.csv</pre>");
    b.append("</section>");

    if (!warnings.isEmpty()) {
      b.append("<section class=\"card\"><h2>Warnings</h2><ul>");
      for (String w : warnings) b.append("<li class=\"warn\">").append(escape(w)).append("</li>");
      b.append("</ul></section>");
    }

    b.append("<section class=\"card\" id=\"profile\"><h2>Data profile</h2>");
    if (profile == null) {
      b.append("<p class=\"note\">No profile.</p>");
    } else {
      b.append("<p class=\"note\">Also as its own page: ").append(standalone ? "<a href=\"profile.html\">profile.html</a>" : "profile.html")
          .append(" (and profile.json, for drift checks: <code>omelet profile -f new.csv --against profile.json</code>).</p>");
      b.append(profile.toHtmlFragment());
    }
    b.append("</section></main>");
  }

  private String restBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("rows", List.of(exampleRow == null ? Map.of() : exampleRow));
    try {
      return new ObjectMapper().writeValueAsString(body).replace("'", "'\\''");
    } catch (IOException e) {
      return "{}";
    }
  }

  private static void kv(StringBuilder b, String k, String v) {
    if (v != null) b.append("<span><b>").append(escape(k)).append(":</b> ").append(escape(v)).append("</span>");
  }

  static String num(Double v) {
    if (v == null) return "";
    if (v.isNaN()) return "NaN";
    if (v == Math.rint(v) && Math.abs(v) < 1e12) return String.valueOf(v.longValue());
    return String.format(Locale.ROOT, "%.5g", v);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
