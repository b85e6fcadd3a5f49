package io.omelet.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import io.omelet.automl.AutoMLModel;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.MojoScorer;
import io.omelet.scoring.RowContributions;

/**
 * How {@link ShapExplainer} explains an H2O model: exact contributions read from its MOJO
 * ({@link MojoShapSource}) on their link scale, or KernelSHAP through the Spark ML stage that scores it
 * (an {@link AutoMLModel} or a {@link MojoScorer}), reading the target class's probability column (or its
 * log-odds, added by a SQL stage after the model) or the regression prediction.
 */
final class H2OExplanation {
  /** The column of log-odds that KernelSHAP of an H2O classifier explains with explainedOutput=raw. */
  static final String LOG_ODDS_COL = "__omelet_log_odds";

  private final ShapExplainer e;
  private final MojoModel mojo;

  H2OExplanation(ShapExplainer explainer, MojoModel mojo) {
    this.e = explainer;
    this.mojo = mojo;
  }

  /** "tree" when the MOJO has exact contributions (or they are asked for), "kernel" otherwise. */
  String resolvedMethod() {
    String why = RowContributions.unsupportedReasonForClass(mojo);
    String asked = e.getMethod();
    if (asked.equals("tree") && why != null) {
      throw new IllegalArgumentException("ShapExplainer: method=tree needs exact contributions, but " + why
          + " (method=auto falls back to it)");
    }
    if (asked.equals("tree") || (asked.equals("auto") && why == null)) return "tree";
    if (!e.isDefined(e.model())) {
      throw new IllegalArgumentException("ShapExplainer: " + (why != null ? why + "; " : "")
          + "method=kernel evaluates the model through a Spark ML Transformer: set it with setModel (e.g. the "
          + "AutoMLModel), not only setMojo");
    }
    return "kernel";
  }

  String describeOutput() {
    return resolvedMethod().equals("tree") ? exactSource().description() : kernelOutput().description();
  }

  List<String> featureNames() {
    return e.isSet(e.inputCols()) ? Arrays.asList(e.getInputCols()) : Arrays.asList(mojo.features());
  }

  /** The output schema; checks every column the MOJO reads (by name, ignoring case) and every output name first. */
  StructType transformSchema(StructType schema) {
    String resolved = resolvedMethod();
    List<String> feats = featureNames();
    List<String> names = Arrays.asList(schema.fieldNames());
    Set<String> lower = new HashSet<>();
    for (String n : names) lower.add(n.toLowerCase(Locale.ROOT));
    List<String> needed = new ArrayList<>(feats);
    for (String f : mojo.features()) if (!needed.contains(f)) needed.add(f);
    for (String c : needed) {
      if (!lower.contains(c.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("ShapExplainer: feature column '" + c + "' is missing from the input; "
            + "the H2O model reads " + Arrays.asList(mojo.features()) + " and the input has " + names);
      }
    }
    e.checkOutputsFree(names, resolved);
    if (resolved.equals("tree")) {
      MojoShapSource src = exactSource();
      String natural = src.description().startsWith("probability") ? "probability"
          : src.description().startsWith("log-odds") ? "raw" : "prediction";
      String asked = e.getExplainedOutput();
      if (!asked.equals("auto") && !asked.equals(natural)) {
        throw new IllegalArgumentException("ShapExplainer: the exact contributions of this H2O model explain "
            + "explainedOutput=" + natural + " (" + src.description() + "), not " + asked + "; use method=kernel to "
            + "explain " + asked);
      }
    } else {
      kernelOutput();
    }
    return e.withOutputs(schema, feats, resolved);
  }

  /** The backend: the MOJO's contributions, or KernelSHAP through the model's stage. */
  ShapSource source(Dataset<Row> input) {
    List<String> feats = featureNames();
    if (resolvedMethod().equals("tree")) return exactSource();
    KernelShapSource.Output o = kernelOutput();
    return e.kernelSource(kernelModel(o), feats, List.of(), o, input);
  }

  private MojoShapSource exactSource() {
    return new MojoShapSource(mojo, featureNames(), e.getTargetClass());
  }

  /** The target class's probability column (or its log-odds), or the regression prediction. */
  private KernelShapSource.Output kernelOutput() {
    String[] domain = mojo.responseDomain();
    String asked = e.getExplainedOutput();
    if (domain == null) {
      if (!asked.equals("auto") && !asked.equals("prediction")) {
        throw new IllegalArgumentException("ShapExplainer: explainedOutput=" + asked + " but the H2O model is a "
            + "regression; it explains its prediction");
      }
      Transformer m = e.getModel();
      return new KernelShapSource.Output((String) m.getOrDefault(m.getParam("predictionCol")), -1, "prediction");
    }
    int target = e.getTargetClass();
    if (target >= domain.length) {
      throw new IllegalArgumentException("ShapExplainer: targetClass " + target + " is out of range: the model has "
          + domain.length + " classes " + Arrays.asList(domain));
    }
    String p = classProbabilityPrefix() + domain[target];
    return switch (asked) {
      case "auto", "probability" -> new KernelShapSource.Output(p, -1, "probability of class " + domain[target]);
      case "raw" -> new KernelShapSource.Output(LOG_ODDS_COL, -1, "log-odds of class " + domain[target]);
      default -> throw new IllegalArgumentException("ShapExplainer: explainedOutput=" + asked + " of an H2O classifier: "
          + "use probability or raw (log-odds)");
    };
  }

  /** The model's stage, followed for explainedOutput=raw by a stage adding the target class's log-odds. */
  private Transformer kernelModel(KernelShapSource.Output o) {
    Transformer m = e.getModel();
    if (!o.col().equals(LOG_ODDS_COL)) return m;
    String p = "`" + classProbabilityPrefix() + mojo.responseDomain()[e.getTargetClass()] + "`";
    // Clamped so that a probability of exactly 0 or 1 gives a large finite log-odds.
    String sql = "SELECT *, ln(greatest(" + p + ", 1e-15) / greatest(1 - " + p + ", 1e-15)) AS " + LOG_ODDS_COL
        + " FROM __THIS__";
    return new PipelineModel(Identifiable.randomUID("omelet_h2o_log_odds"),
        new Transformer[] {m, new SQLTransformer().setStatement(sql)});
  }

  /** The prefix of the per-class probability columns the H2O model's stage adds. */
  private String classProbabilityPrefix() {
    if (e.getModel() instanceof MojoScorer s) {
      String prefix = s.getOrDefault(s.classProbabilityPrefix());
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("ShapExplainer: KernelSHAP reads the MojoScorer's per-class probability "
            + "columns; set its classProbabilityPrefix (e.g. \"p_\")");
      }
      return prefix;
    }
    return AutoMLModel.CLASS_PROBABILITY_PREFIX;
  }
}
