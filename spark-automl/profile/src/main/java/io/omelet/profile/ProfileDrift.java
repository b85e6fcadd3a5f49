package io.omelet.profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Compares a baseline profile with a later one (or with a DataFrame, profiled on the way): PSI and
 * a two-sample test per column, from what profiles keep (percentiles for numbers and dates, top
 * values for categoricals), so the baseline data need not be kept.
 */
public final class ProfileDrift {
  private double psiThreshold = 0.2;
  private double alpha = 0.01;
  private double minEffect = 0.1;

  /** A column drifts when its PSI reaches this (0.2: a significant shift, by the usual rule of thumb). */
  public ProfileDrift setPsiThreshold(double v) { psiThreshold = v; return this; }
  /** ...or when its test rejects at this level with an effect of at least {@link #setMinEffect}. */
  public ProfileDrift setAlpha(double v) { alpha = v; return this; }
  /** Minimal KS distance or Cramér's V that counts, so huge tables don't flag trivial shifts. */
  public ProfileDrift setMinEffect(double v) { minEffect = v; return this; }

  /** Profiles {@code current} (univariate, default settings) and compares. */
  public DriftReport compare(Profile baseline, Dataset<Row> current) {
    return compare(baseline, current, new DataProfiler().setMode(ProfileMode.UNIVARIATE));
  }

  /** Profiles {@code current} with {@code profiler}, best the one that made the baseline, and compares. */
  public DriftReport compare(Profile baseline, Dataset<Row> current, DataProfiler profiler) {
    return compare(baseline, profiler.profile(current));
  }

  public DriftReport compare(Profile baseline, Profile current) {
    DriftReport r = new DriftReport();
    r.baselineRows = baseline.overview.rows;
    r.currentRows = current.overview.rows;
    Map<String, VariableProfile> now = new LinkedHashMap<>();
    for (VariableProfile v : current.variables) now.put(v.name, v);
    for (VariableProfile b : baseline.variables) {
      VariableProfile c = now.remove(b.name);
      if (c == null) {
        r.alerts.add("column '" + b.name + "' is missing from the current data");
        continue;
      }
      if (b.type != c.type) {
        r.alerts.add("column '" + b.name + "' changed type from " + b.type + " to " + c.type);
        continue;
      }
      ColumnDrift d = column(b, c);
      if (d == null) continue;
      r.columns.add(d);
      if (d.drifted) {
        r.alerts.add(String.format(Locale.ROOT, "column '%s' drifted: PSI %.3f, %s p-value %.3g",
            b.name, d.psi, d.test, d.pValue));
      }
    }
    for (String added : now.keySet()) r.alerts.add("column '" + added + "' is new in the current data");
    return r;
  }

  private ColumnDrift column(VariableProfile b, VariableProfile c) {
    ColumnDrift d = new ColumnDrift();
    d.column = b.name;
    d.type = b.type;
    d.baselineMissingPct = b.missingPct;
    d.currentMissingPct = c.missingPct;
    boolean numeric = (b.type == VariableType.NUM || b.type == VariableType.DATE)
        && b.percentiles != null && c.percentiles != null;
    if (numeric) numeric(d, b, c);
    else if (b.topValues != null && c.topValues != null && b.type != VariableType.TEXT
        && b.type != VariableType.UNSUPPORTED) categorical(d, b, c);
    else return null;
    d.drifted = (d.psi != null && d.psi >= psiThreshold)
        || (d.pValue != null && d.pValue < alpha && d.effect != null && d.effect >= minEffect);
    return d;
  }

  private static void numeric(ColumnDrift d, VariableProfile b, VariableProfile c) {
    double[] pb = b.percentiles, pc = c.percentiles;
    double ks = 0;
    for (double[] pts : new double[][] {pb, pc}) {
      for (double x : pts) ks = Math.max(ks, Math.abs(cdf(pb, x) - cdf(pc, x)));
    }
    d.test = "ks";
    d.statistic = ks;
    d.effect = ks;
    d.pValue = StatTests.ksPValue(ks, finiteCount(b), finiteCount(c));
    double[] edges = Arrays.stream(new double[] {pb[10], pb[20], pb[30], pb[40], pb[50], pb[60], pb[70], pb[80], pb[90]})
        .distinct().toArray();
    double[] e = new double[edges.length + 1], a = new double[edges.length + 1];
    double prevB = 0, prevC = 0;
    for (int i = 0; i <= edges.length; i++) {
      double fb = i == edges.length ? 1 : cdf(pb, edges[i]);
      double fc = i == edges.length ? 1 : cdf(pc, edges[i]);
      e[i] = fb - prevB;
      a[i] = fc - prevC;
      prevB = fb;
      prevC = fc;
    }
    d.psi = psi(e, a);
  }

  private static long finiteCount(VariableProfile v) {
    return v.count - (v.infinite == null ? 0 : v.infinite);
  }

  /** The distribution function a percentile summary implies, interpolating linearly between percentiles. */
  static double cdf(double[] p, double x) {
    if (x < p[0]) return 0;
    if (x >= p[p.length - 1]) return 1;
    int i = 0;
    while (i + 1 < p.length && p[i + 1] <= x) i++;
    double frac = p[i + 1] > p[i] ? (x - p[i]) / (p[i + 1] - p[i]) : 0;
    return (i + frac) / (p.length - 1);
  }

  private static void categorical(ColumnDrift d, VariableProfile b, VariableProfile c) {
    List<String> cats = new ArrayList<>();
    for (ValueCount vc : b.topValues) cats.add(vc.value);
    int k = cats.size() + 1; // the last cell: every other value
    double[] ob = new double[k], oc = new double[k];
    fill(ob, cats, b);
    fill(oc, cats, c);
    double nb = Arrays.stream(ob).sum(), nc = Arrays.stream(oc).sum();
    if (nb == 0 || nc == 0) return;
    double chi2 = 0;
    int used = 0;
    for (int i = 0; i < k; i++) {
      double tot = ob[i] + oc[i];
      if (tot == 0) continue;
      used++;
      double eb = tot * nb / (nb + nc), ec = tot * nc / (nb + nc);
      chi2 += (ob[i] - eb) * (ob[i] - eb) / eb + (oc[i] - ec) * (oc[i] - ec) / ec;
    }
    d.test = "chi_square";
    d.statistic = chi2;
    d.pValue = StatTests.chiSquareSurvival(chi2, used - 1);
    d.effect = Math.sqrt(chi2 / (nb + nc));
    double[] e = new double[k], a = new double[k];
    for (int i = 0; i < k; i++) {
      e[i] = ob[i] / nb;
      a[i] = oc[i] / nc;
    }
    d.psi = psi(e, a);
  }

  private static void fill(double[] counts, List<String> cats, VariableProfile v) {
    double listed = 0;
    for (ValueCount vc : v.topValues) {
      int i = cats.indexOf(vc.value);
      if (i >= 0) {
        counts[i] = vc.count;
        listed += vc.count;
      }
    }
    counts[counts.length - 1] = Math.max(0, v.count - listed);
  }

  /** Sum of (a - e) ln(a / e) with shares floored at 1e-4 so empty bins stay finite. */
  static double psi(double[] expected, double[] actual) {
    double s = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(expected[i], 1e-4), a = Math.max(actual[i], 1e-4);
      s += (a - e) * Math.log(a / e);
    }
    return s;
  }
}
