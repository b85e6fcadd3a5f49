package io.omelet.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Derives the alerts of a profile from its statistics. */
final class AlertRules {
  private AlertRules() {}

  static List<Alert> evaluate(Profile p, AlertThresholds t) {
    List<Alert> out = new ArrayList<>();
    Overview o = p.overview;
    if (o.rows == 0) out.add(new Alert(AlertType.EMPTY, null, "the table has no rows", 0.0));
    if (o.duplicateRows != null && o.duplicateRows > 0 && o.duplicateRowsPct > t.duplicatesPct) {
      out.add(new Alert(AlertType.DUPLICATES, null,
          String.format(Locale.ROOT, "%d duplicate rows (%.2f%%)", o.duplicateRows, o.duplicateRowsPct),
          o.duplicateRowsPct));
    }
    for (VariableProfile v : p.variables) column(v, o.rows, t, out);
    if (p.correlations != null) correlations(p.correlations, t, out);
    return out;
  }

  private static void column(VariableProfile v, long rows, AlertThresholds t, List<Alert> out) {
    String c = v.name;
    if (rows > 0 && v.count == 0) {
      out.add(new Alert(AlertType.EMPTY, c, "every value is missing", 100.0));
      return;
    }
    if (v.type == VariableType.UNSUPPORTED) return;
    if (v.missingPct > t.missingPct) {
      out.add(new Alert(AlertType.MISSING, c,
          String.format(Locale.ROOT, "%d missing values (%.2f%%)", v.missing, v.missingPct), v.missingPct));
    }
    if (v.distinct != null && v.distinct == 1) {
      out.add(new Alert(AlertType.CONSTANT, c, "has one value only", 1.0));
    }
    if (v.distinct != null && v.count > 1 && v.distinct >= v.count && Boolean.TRUE.equals(v.distinctExact)) {
      out.add(new Alert(AlertType.UNIQUE, c, "every value is distinct", 100.0));
    }
    if ((v.type == VariableType.CAT) && v.distinct != null && v.distinct > t.highCardinality) {
      out.add(new Alert(AlertType.HIGH_CARDINALITY, c,
          v.distinct + (Boolean.TRUE.equals(v.distinctExact) ? "" : " (estimated)") + " distinct values",
          (double) v.distinct));
    }
    if (v.zerosPct != null && v.zerosPct >= t.zerosPct && v.type == VariableType.NUM) {
      out.add(new Alert(AlertType.ZEROS, c,
          String.format(Locale.ROOT, "%d zeros (%.2f%%)", v.zeros, v.zerosPct), v.zerosPct));
    }
    if (v.infinite != null && v.infinite > 0) {
      out.add(new Alert(AlertType.INFINITE, c,
          String.format(Locale.ROOT, "%d infinite values (%.2f%%)", v.infinite, v.infinitePct), v.infinitePct));
    }
    if (v.type == VariableType.NUM && v.skewness != null && Math.abs(v.skewness) > t.skewness) {
      out.add(new Alert(AlertType.SKEWED, c,
          String.format(Locale.ROOT, "skewness %.2f", v.skewness), v.skewness));
    }
    if ((v.type == VariableType.CAT || v.type == VariableType.BOOL) && v.imbalance != null
        && v.imbalance > t.imbalance) {
      out.add(new Alert(AlertType.IMBALANCE, c,
          String.format(Locale.ROOT, "imbalance %.2f", v.imbalance), v.imbalance));
    }
    Double uniformP = uniformPValue(v);
    if (uniformP != null && uniformP > t.uniformPValue) {
      out.add(new Alert(AlertType.UNIFORM, c,
          String.format(Locale.ROOT, "uniformly distributed (chi-square p=%.4f)", uniformP), uniformP));
    }
  }

  /** Chi-square test against uniform: value counts for categoricals, exact histogram bins for numbers. */
  static Double uniformPValue(VariableProfile v) {
    long[] counts = null;
    if ((v.type == VariableType.CAT) && Boolean.TRUE.equals(v.topValuesExact)
        && v.distinct != null && v.topValues != null && v.topValues.size() == v.distinct && v.distinct > 1) {
      counts = v.topValues.stream().mapToLong(x -> x.count).toArray();
    } else if (v.type == VariableType.NUM && v.histogram != null && !v.histogram.approximate
        && v.histogram.counts.length > 1) {
      counts = v.histogram.counts;
      if ((double) v.histogram.total() / counts.length < 5) return null;
    }
    if (counts == null) return null;
    return StatTests.uniformChiSquare(counts)[1];
  }

  private static void correlations(Correlations cs, AlertThresholds t, List<Alert> out) {
    Map<String, TreeSet<String>> partners = new LinkedHashMap<>();
    Map<String, Double> strongest = new LinkedHashMap<>();
    for (CorrelationPair pair : cs.topPairs) {
      if (Math.abs(pair.value) < t.correlation) continue;
      partners.computeIfAbsent(pair.left, k -> new TreeSet<>()).add(pair.right);
      partners.computeIfAbsent(pair.right, k -> new TreeSet<>()).add(pair.left);
      strongest.merge(pair.left, Math.abs(pair.value), Math::max);
      strongest.merge(pair.right, Math.abs(pair.value), Math::max);
    }
    for (Map.Entry<String, TreeSet<String>> e : partners.entrySet()) {
      out.add(new Alert(AlertType.HIGH_CORRELATION, e.getKey(),
          "highly correlated with " + String.join(", ", e.getValue()), strongest.get(e.getKey())));
    }
  }
}
