package io.omelet.profile;

import io.omelet.common.HtmlText;
import io.omelet.common.svg.BarRows;
import io.omelet.common.svg.Svg;
import io.omelet.common.svg.Svg.Anchor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Renders a profile as one self-contained HTML page: no external URL, charts as inline SVG, tabs
 * driven by a few lines of script. Every style rule is prefixed with the report's own element id
 * and the script touches only that element, so the fragment can sit inside a Zeppelin paragraph
 * (or any page) without restyling it.
 */
final class HtmlReport {
  private HtmlReport() {}

  static final String[] TABS = {"Overview", "Variables", "Alerts", "Correlations", "Missing"};

  static String document(Profile p) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Omelet profile</title></head>"
        + "<body style=\"margin:0\">\n" + fragment(p) + "\n</body></html>\n";
  }

  static String fragment(Profile p) {
    String id = "omelet-profile-" + UUID.randomUUID().toString().substring(0, 8);
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<div id=\"").append(id).append("\" class=\"omelet-profile\">\n");
    b.append("<style>").append(css("#" + id)).append("</style>\n");
    b.append("<div class=\"op-tabs\" role=\"tablist\">");
    for (int i = 0; i < TABS.length; i++) {
      b.append("<button type=\"button\" class=\"op-tab").append(i == 0 ? " op-active" : "")
          .append("\" data-tab=\"").append(TABS[i]).append("\">").append(TABS[i]);
      if (TABS[i].equals("Alerts")) b.append(" (").append(p.alerts.size()).append(')');
      b.append("</button>");
    }
    b.append("</div>\n");
    panel(b, "Overview", true, overview(p));
    panel(b, "Variables", false, variables(p));
    panel(b, "Alerts", false, alerts(p));
    panel(b, "Correlations", false, correlations(p));
    panel(b, "Missing", false, missing(p));
    b.append("<script>(function(){var root=document.getElementById('").append(id).append("');")
        .append("if(!root)return;var tabs=root.querySelectorAll('.op-tab');")
        .append("var panels=root.querySelectorAll('.op-panel');")
        .append("for(var i=0;i<tabs.length;i++){tabs[i].addEventListener('click',function(e){")
        .append("var name=e.currentTarget.getAttribute('data-tab');")
        .append("for(var j=0;j<tabs.length;j++){tabs[j].classList.toggle('op-active',tabs[j]===e.currentTarget);}")
        .append("for(var k=0;k<panels.length;k++){panels[k].style.display=")
        .append("panels[k].getAttribute('data-panel')===name?'block':'none';}});}})();</script>\n");
    b.append("</div>");
    return b.toString();
  }

  private static String css(String r) {
    return r + "{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:13px;color:#222;"
        + "background:#fff;padding:12px;box-sizing:border-box}"
        + r + " .op-tabs{border-bottom:2px solid #e5a823;margin-bottom:10px}"
        + r + " .op-tab{background:#f6f6f6;border:1px solid #ddd;border-bottom:none;padding:6px 14px;"
        + "margin-right:4px;cursor:pointer;font-size:13px;border-radius:4px 4px 0 0}"
        + r + " .op-tab.op-active{background:#e5a823;color:#fff;border-color:#e5a823}"
        + r + " table{border-collapse:collapse;margin:6px 0 12px 0}"
        + r + " td," + r + " th{border:1px solid #e3e3e3;padding:3px 8px;text-align:left;vertical-align:top}"
        + r + " th{background:#fafafa}"
        + r + " .op-var{border:1px solid #e3e3e3;border-radius:4px;padding:8px;margin-bottom:10px}"
        + r + " .op-var h3{margin:0 0 6px 0;font-size:15px}"
        + r + " .op-badge{display:inline-block;background:#555;color:#fff;border-radius:3px;padding:1px 6px;"
        + "font-size:11px;margin-left:6px}"
        + r + " .op-alert{background:#fdecea;color:#a12622}"
        + r + " .op-row{display:flex;flex-wrap:wrap;gap:16px}"
        + r + " .op-note{color:#777;font-size:12px}"
        + r + " svg text{font-size:10px;fill:#444}";
  }

  private static void panel(StringBuilder b, String name, boolean visible, String body) {
    b.append("<div class=\"op-panel\" data-panel=\"").append(name).append("\" style=\"display:")
        .append(visible ? "block" : "none").append("\">").append(body).append("</div>\n");
  }

  private static String overview(Profile p) {
    Overview o = p.overview;
    StringBuilder b = new StringBuilder("<div class=\"op-row\"><table>");
    row(b, "Rows", Long.toString(o.rows));
    row(b, "Columns", Integer.toString(o.columns));
    row(b, "Missing cells", o.missingCells + " (" + pct(o.missingCellsPct) + ")");
    row(b, "Duplicate rows", o.duplicateRows == null ? "not computed (univariate profile)"
        : o.duplicateRows + " (" + pct(o.duplicateRowsPct) + ")");
    row(b, "Estimated size in memory", bytes(o.estimatedSizeBytes));
    row(b, "Profile", o.mode + String.format(Locale.ROOT, ", %.2f s", o.seconds));
    b.append("</table><table><tr><th>Type</th><th>Columns</th></tr>");
    for (Map.Entry<VariableType, Integer> e : o.types.entrySet()) {
      if (e.getValue() > 0) row(b, e.getKey().name(), Integer.toString(e.getValue()));
    }
    b.append("</table></div>");
    b.append("<h4>First rows</h4>").append(sampleTable(p.samples.columns, p.samples.head));
    b.append("<h4>Random sample</h4>").append(sampleTable(p.samples.columns, p.samples.random));
    return b.toString();
  }

  private static String sampleTable(List<String> cols, List<List<String>> rows) {
    if (rows.isEmpty()) return "<p class=\"op-note\">no rows</p>";
    StringBuilder b = new StringBuilder("<div style=\"overflow-x:auto\"><table><tr>");
    for (String c : cols) b.append("<th>").append(esc(c)).append("</th>");
    b.append("</tr>");
    for (List<String> r : rows) {
      b.append("<tr>");
      for (String v : r) b.append("<td>").append(v == null ? "<i>null</i>" : esc(v)).append("</td>");
      b.append("</tr>");
    }
    return b.append("</table></div>").toString();
  }

  private static String variables(Profile p) {
    StringBuilder b = new StringBuilder();
    for (VariableProfile v : p.variables) {
      b.append("<div class=\"op-var\"><h3>").append(esc(v.name)).append("<span class=\"op-badge\">")
          .append(v.type).append("</span><span class=\"op-note\"> ").append(esc(v.sparkType));
      if (v.typeReason != null) b.append(" · ").append(esc(v.typeReason));
      b.append("</span></h3><div class=\"op-row\"><table>");
      if (v.distinct != null) {
        row(b, "Distinct", v.distinct + (Boolean.TRUE.equals(v.distinctExact) ? "" : " (estimated)")
            + (v.uniquePct == null ? "" : " · " + pct(v.uniquePct)));
      }
      row(b, "Missing", v.missing + " (" + pct(v.missingPct) + ")");
      if (v.mean != null) {
        row(b, "Mean", num(v.mean));
        row(b, "Std", num(v.std));
        row(b, "Min / max", num(v.min) + " / " + num(v.max));
        row(b, "Zeros", v.zeros + " (" + pct(v.zerosPct) + ")");
        row(b, "Negatives", v.negatives + " (" + pct(v.negativesPct) + ")");
        row(b, "Infinite", v.infinite + " (" + pct(v.infinitePct) + ")");
      }
      b.append("</table>");
      if (v.p50 != null) {
        b.append("<table>");
        row(b, "5% / 25%", num(v.p5) + " / " + num(v.p25));
        row(b, "Median", num(v.p50));
        row(b, "75% / 95%", num(v.p75) + " / " + num(v.p95));
        row(b, "IQR", num(v.iqr));
        row(b, "Skewness / kurtosis", num(v.skewness) + " / " + num(v.kurtosis));
        row(b, "Sum", num(v.sum));
        row(b, "CV", num(v.cv));
        if (!Boolean.TRUE.equals(v.quantilesExact)) row(b, "Quantiles", "KLL sketch estimates");
        b.append("</table>");
      }
      if (v.minDate != null) {
        b.append("<table>");
        row(b, "Min", esc(v.minDate));
        row(b, "Max", esc(v.maxDate));
        b.append("</table>");
      }
      if (v.meanLength != null) {
        b.append("<table>");
        row(b, "Length min / max", v.minLength + " / " + v.maxLength);
        row(b, "Length mean", num(v.meanLength));
        b.append("</table>");
      }
      if (v.histogram != null) b.append(histogramSvg(v.histogram, v.type == VariableType.DATE, "date".equals(v.sparkType)));
      if (v.topValues != null && !v.topValues.isEmpty() && v.type != VariableType.NUM) {
        b.append(topValuesSvg(v.topValues, v.count));
      }
      b.append("</div></div>");
    }
    return b.toString();
  }

  private static String alerts(Profile p) {
    if (p.alerts.isEmpty()) return "<p>No alerts.</p>";
    StringBuilder b = new StringBuilder("<table><tr><th>Alert</th><th>Column</th><th>Detail</th></tr>");
    for (Alert a : p.alerts) {
      b.append("<tr><td class=\"op-alert\">").append(a.type).append("</td><td>")
          .append(a.column == null ? "(table)" : esc(a.column)).append("</td><td>")
          .append(esc(a.message)).append("</td></tr>");
    }
    return b.append("</table>").toString();
  }

  private static String correlations(Profile p) {
    Correlations c = p.correlations;
    if (c == null) return "<p class=\"op-note\">Not computed (univariate profile).</p>";
    StringBuilder b = new StringBuilder("<p class=\"op-note\">");
    b.append(c.sampled ? "Computed on a uniform random sample of " + c.sampleRows + " rows."
        : "Computed on all " + c.sampleRows + " rows.").append("</p><div class=\"op-row\">");
    for (CorrelationMatrix m : new CorrelationMatrix[] {c.pearson, c.spearman, c.cramersV}) {
      if (m == null || m.columns.length < 2) continue;
      b.append("<div><h4>").append(esc(m.method)).append("</h4>").append(heatmapSvg(m)).append("</div>");
    }
    b.append("</div><h4>Top pairs</h4><table><tr><th>Method</th><th>Columns</th><th>Value</th></tr>");
    for (CorrelationPair pair : c.topPairs) {
      b.append("<tr><td>").append(esc(pair.method)).append("</td><td>").append(esc(pair.left))
          .append(" · ").append(esc(pair.right)).append("</td><td>").append(num(pair.value)).append("</td></tr>");
    }
    return b.append("</table>").toString();
  }

  private static String missing(Profile p) {
    MissingValues m = p.missing;
    StringBuilder b = new StringBuilder();
    long rows = p.overview.rows;
    b.append("<p>Rows without a missing value: ").append(m.completeRows).append(" of ").append(rows).append("</p>");
    List<BarRows.Bar> bars = new ArrayList<>();
    for (Map.Entry<String, Long> e : m.counts.entrySet()) {
      bars.add(new BarRows.Bar(clip(e.getKey(), 28), rows == 0 ? 0 : (double) e.getValue() / rows,
          String.valueOf(e.getValue()), "#d9534f"));
    }
    Svg svg = Svg.inline(560, m.counts.size() * 20 + 10);
    // A bar's length is the column's share of all rows, not of the most missing column's.
    BarRows.draw(svg, bars, new BarRows.Layout(4, 20, 16, 0, false, 180, 560 - 180 - 60), 1);
    b.append(svg.close());
    if (m.columns.length > 1) {
      b.append("<h4>Missing together (rows where both are missing)</h4>");
      Double[][] vals = new Double[m.columns.length][m.columns.length];
      for (int a = 0; a < m.columns.length; a++) {
        for (int c = 0; c < m.columns.length; c++) {
          vals[a][c] = m.together[a][a] == 0 ? 0.0 : (double) m.together[a][c] / m.together[a][a];
        }
      }
      b.append(heatmapSvg(new CorrelationMatrix("missing together", m.columns, vals)));
    }
    if (!m.patterns.isEmpty()) {
      b.append("<h4>Most frequent patterns</h4><table><tr><th>Missing columns</th><th>Rows</th></tr>");
      for (MissingValues.Pattern pt : m.patterns) {
        b.append("<tr><td>").append(esc(String.join(", ", pt.columns))).append("</td><td>")
            .append(pt.count).append("</td></tr>");
      }
      b.append("</table>");
    }
    if (!m.patternsComplete) b.append("<p class=\"op-note\">More missing patterns than tracked.</p>");
    return b.toString();
  }

  private static String histogramSvg(Histogram h, boolean dates, boolean days) {
    int w = 320, ht = 140, pad = 20;
    long max = 1;
    for (long c : h.counts) max = Math.max(max, c);
    int k = h.counts.length;
    double bw = (double) (w - 2 * pad) / k;
    Svg svg = Svg.inline(w, ht + 20);
    for (int i = 0; i < k; i++) {
      double bh = (double) h.counts[i] / max * (ht - pad);
      svg.rect(pad + i * bw, ht - bh, Math.max(1, bw - 1), bh, "#e5a823", String.valueOf(h.counts[i]));
    }
    String lo = dates ? DataProfiler.formatDate(h.edges[0], days) : num(h.edges[0]);
    String hi = dates ? DataProfiler.formatDate(h.edges[h.edges.length - 1], days) : num(h.edges[h.edges.length - 1]);
    svg.text(pad, ht + 14, lo);
    svg.text(w - pad, ht + 14, hi, Anchor.END);
    if (h.approximate) svg.text(pad, 10, "(from quantile sketch)");
    return svg.close();
  }

  private static String topValuesSvg(List<ValueCount> top, long count) {
    List<BarRows.Bar> bars = new ArrayList<>();
    for (ValueCount vc : top) {
      bars.add(new BarRows.Bar(clip(vc.value, 20), vc.count,
          vc.count + (count > 0 ? " (" + pct(100.0 * vc.count / count) + ")" : ""), "#5b8def"));
    }
    Svg svg = Svg.inline(360, top.size() * 18 + 6);
    BarRows.draw(svg, bars, new BarRows.Layout(2, 18, 14, 0, false, 130, 360 - 130 - 70), 1);
    return svg.close();
  }

  private static String heatmapSvg(CorrelationMatrix m) {
    int k = m.columns.length;
    int cell = Math.max(8, Math.min(28, 420 / Math.max(1, k)));
    int label = 130;
    int size = label + k * cell + 4;
    Svg svg = Svg.inline(size, size);
    for (int i = 0; i < k; i++) {
      String name = clip(m.columns[i], 20);
      svg.text(label - 4, label + i * cell + cell / 2 + 3, name, Anchor.END);
      svg.rotatedText(label + i * cell + cell / 2 + 3, label - 4, name, Anchor.START, 0, -90);
      for (int j = 0; j < k; j++) {
        Double v = m.values[i][j];
        svg.rect(label + j * cell, label + i * cell, cell - 1, cell - 1, color(v),
            m.columns[i] + " \u00b7 " + m.columns[j] + ": " + (v == null ? "n/a" : num(v)));
      }
    }
    return svg.close();
  }

  private static String color(Double v) {
    if (v == null || v.isNaN()) return "#eeeeee";
    double a = Math.max(-1, Math.min(1, v));
    int r, g, bl;
    if (a >= 0) {
      r = (int) (255 - a * (255 - 200));
      g = (int) (255 - a * (255 - 60));
      bl = (int) (255 - a * (255 - 40));
    } else {
      r = (int) (255 + a * (255 - 50));
      g = (int) (255 + a * (255 - 110));
      bl = (int) (255 + a * (255 - 220));
    }
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, bl);
  }

  private static void row(StringBuilder b, String k, String v) {
    b.append("<tr><th>").append(esc(k)).append("</th><td>").append(v).append("</td></tr>");
  }

  private static String clip(String s, int n) {
    return s == null ? "null" : s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  static String esc(String s) {
    return HtmlText.escape(s);
  }

  private static String pct(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.2f%%", v);
  }

  private static String num(Double v) {
    if (v == null) return "";
    if (v.isNaN() || v.isInfinite()) return v.toString();
    double a = Math.abs(v);
    if (a != 0 && (a >= 1e7 || a < 1e-3)) return String.format(Locale.ROOT, "%.4g", v);
    return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static String bytes(long b) {
    if (b < 0) return "unknown";
    if (b < 1024) return b + " B";
    if (b < 1 << 20) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    if (b < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
    return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
  }
}
