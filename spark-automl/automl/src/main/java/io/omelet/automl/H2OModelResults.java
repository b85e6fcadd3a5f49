package io.omelet.automl;

import hex.Model;
import hex.ModelMetrics;
import hex.ModelMetricsBinomial;
import hex.ModelMetricsMultinomial;
import hex.ModelMetricsRegression;
import hex.ModelMetricsSupervised;
import hex.leaderboard.Leaderboard;
import io.omelet.scoring.MojoModel;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.util.TwoDimTable;

/** {@link ModelResult}s read from the H2O models AutoML made, and its leaderboard's figures. */
final class H2OModelResults {
  private static final Logger LOG = LoggerFactory.getLogger(H2OModelResults.class);

  private H2OModelResults() {}

  /** model_id to {column: value} from H2O's leaderboard table with all extensions. */
  static Map<String, Map<String, Object>> leaderboardTable(Leaderboard lb) {
    TwoDimTable t = lb.toTwoDimTable(hex.leaderboard.LeaderboardExtensionsProvider.ALL);
    String[] cols = t.getColHeaders();
    int idCol = Arrays.asList(cols).indexOf("model_id");
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (int r = 0; r < t.getRowDim(); r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int c = 0; c < cols.length; c++) row.put(cols[c], t.get(r, c));
      String id = idCol >= 0 ? String.valueOf(t.get(r, idCol)) : lb.getModelKeys()[r].toString();
      out.put(id, row);
    }
    return out;
  }

  /**
   * A model as a result: its parameters, metrics, variable importance and MOJO (stamped with the
   * rows it was trained on and, for a refit, the model it refits). What cannot be read is said in
   * its error, not thrown.
   */
  static ModelResult collect(Model<?, ?, ?> model, int rank, long trainingRows, String refitOf,
      Map<String, Object> lbRow) {
    String id = model._key.toString();
    List<String> errors = new ArrayList<>();
    Map<String, Double> lbMetrics = new LinkedHashMap<>();
    long trainingMs = model._output._run_time;
    double predictMs = Double.NaN;
    if (lbRow != null) {
      for (Map.Entry<String, Object> e : lbRow.entrySet()) {
        String k = e.getKey();
        Object v = e.getValue();
        if (k.equals("training_time_ms") && v instanceof Number n) trainingMs = n.longValue();
        else if (k.equals("predict_time_per_row_ms") && v instanceof Number n) predictMs = n.doubleValue();
        else if (v instanceof Number n && !k.equals("model_id")) lbMetrics.put(k, n.doubleValue());
      }
    }
    byte[] mojo = null;
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.getMojo().writeTo(out);
      mojo = MojoModel.withTrainingInfo(out.toByteArray(), id, trainingRows, refitOf);
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("no MOJO for {}", id, e);
      errors.add("MOJO export failed: " + e);
    }
    List<VariableImportance> varimp = List.of();
    try {
      varimp = variableImportance(model);
    } catch (RuntimeException e) {
      errors.add("variable importance unavailable: " + e);
    }
    return new ModelResult(id, model._parms.algoName().toLowerCase(Locale.ROOT), rank, trainingRows,
        params(model._parms), lbMetrics, metrics(model._output._cross_validation_metrics),
        metrics(model._output._training_metrics), null, varimp, trainingMs, predictMs, MojoZip.of(mojo),
        errors.isEmpty() ? null : String.join("; ", errors));
  }

  /** The model's actual parameters: public fields of its Parameters class, as text. */
  static Map<String, String> params(Model.Parameters p) {
    Map<String, String> out = new TreeMap<>();
    for (Class<?> c = p.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        int mod = f.getModifiers();
        if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || !Modifier.isPublic(mod)) continue;
        String name = f.getName().startsWith("_") ? f.getName().substring(1) : f.getName();
        if (out.containsKey(name) || name.equals("train") || name.equals("valid")) continue;
        try {
          Object v = f.get(p);
          if (v == null) continue;
          out.put(name, text(v));
        } catch (IllegalAccessException | RuntimeException e) {
          // a field we cannot read is simply not reported
        }
      }
    }
    return out;
  }

  private static String text(Object v) {
    if (v instanceof Object[] a) return Arrays.deepToString(a);
    if (v instanceof double[] a) return Arrays.toString(a);
    if (v instanceof float[] a) return Arrays.toString(a);
    if (v instanceof int[] a) return Arrays.toString(a);
    if (v instanceof long[] a) return Arrays.toString(a);
    if (v instanceof boolean[] a) return Arrays.toString(a);
    if (v instanceof byte[] a) return Arrays.toString(a);
    return String.valueOf(v);
  }

  static Map<String, Double> metrics(ModelMetrics mm) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (mm == null) return m;
    if (mm instanceof ModelMetricsBinomial b) {
      m.put("auc", b.auc());
      m.put("aucpr", b.pr_auc());
      m.put("logloss", b.logloss());
      m.put("mean_per_class_error", b.mean_per_class_error());
    } else if (mm instanceof ModelMetricsMultinomial mn) {
      m.put("logloss", mn.logloss());
      m.put("mean_per_class_error", mn.mean_per_class_error());
    } else if (mm instanceof ModelMetricsRegression r) {
      m.put("mae", r.mae());
      m.put("rmsle", r.rmsle());
      m.put("mean_residual_deviance", r.mean_residual_deviance());
    }
    if (mm instanceof ModelMetricsSupervised s && mm instanceof ModelMetricsRegression) {
      m.put("r2", s.r2());
    }
    m.put("rmse", mm.rmse());
    m.put("mse", mm.mse());
    return m;
  }

  static List<VariableImportance> variableImportance(Model<?, ?, ?> model) {
    TwoDimTable t;
    try {
      Field f = model._output.getClass().getField("_variable_importances");
      t = (TwoDimTable) f.get(model._output);
    } catch (NoSuchFieldException e) {
      return List.of();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
    if (t == null) return List.of();
    String[] vars = t.getRowHeaders();
    List<VariableImportance> out = new ArrayList<>(vars.length);
    for (int r = 0; r < vars.length; r++) {
      out.add(new VariableImportance(vars[r], num(t.get(r, 0)), num(t.get(r, 1)), num(t.get(r, 2))));
    }
    out.sort((a, b) -> Double.compare(b.relativeImportance(), a.relativeImportance()));
    return Collections.unmodifiableList(out);
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
