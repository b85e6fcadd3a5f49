package io.omelet.tuning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.regression.DecisionTreeRegressor;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.RandomForestRegressor;

/**
 * Built-in search spaces for Spark ML's model families, the ones {@code omelet tune --algo} searches:
 * {@code gbt} (gradient-boosted trees), {@code rf} (random forest), {@code dt} (decision tree),
 * {@code linear} (logistic or linear regression with elastic net), and {@code any}, a choice of gbt
 * (where Spark ML has it), rf and linear, each with its own ranges.
 *
 * <pre>{@code
 * Map<String, PipelineStage> models = ModelSpaces.models(ModelSpaces.Task.BINARY, "label", "features", 32, 7);
 * TunerSpace space = ModelSpaces.space("any", models);   // the pipeline's model slot holds models.get("gbt")
 * }</pre>
 */
public final class ModelSpaces {
  /** The families {@link #space} takes. */
  public static final List<String> FAMILIES = List.of("gbt", "rf", "dt", "linear", "any");

  /** What the label is: Spark ML's gradient-boosted trees are binary or regression only. */
  public enum Task { BINARY, MULTICLASS, REGRESSION }

  private ModelSpaces() {}

  /**
   * One estimator per family for {@code task}, on the given columns; the trees seeded and with
   * {@code maxBins} (at least one bin per category of an indexed feature). No gbt for MULTICLASS.
   */
  public static Map<String, PipelineStage> models(Task task, String labelCol, String featuresCol, int maxBins, long seed) {
    Map<String, PipelineStage> m = new LinkedHashMap<>();
    int s = (int) seed;
    if (task == Task.REGRESSION) {
      m.put("gbt", new GBTRegressor().setLabelCol(labelCol).setFeaturesCol(featuresCol).setSeed(s).setMaxBins(maxBins));
      m.put("rf", new RandomForestRegressor().setLabelCol(labelCol).setFeaturesCol(featuresCol).setSeed(s).setMaxBins(maxBins));
      m.put("linear", new LinearRegression().setLabelCol(labelCol).setFeaturesCol(featuresCol));
      m.put("dt", new DecisionTreeRegressor().setLabelCol(labelCol).setFeaturesCol(featuresCol).setSeed(s).setMaxBins(maxBins));
    } else {
      if (task == Task.BINARY) {
        m.put("gbt", new GBTClassifier().setLabelCol(labelCol).setFeaturesCol(featuresCol).setSeed(s).setMaxBins(maxBins));
      }
      m.put("rf", new RandomForestClassifier().setLabelCol(labelCol).setFeaturesCol(featuresCol).setSeed(s).setMaxBins(maxBins));
      m.put("linear", new LogisticRegression().setLabelCol(labelCol).setFeaturesCol(featuresCol));
      m.put("dt", new DecisionTreeClassifier().setLabelCol(labelCol).setFeaturesCol(featuresCol).setSeed(s).setMaxBins(maxBins));
    }
    return m;
  }

  /** The built-in space of {@code family} over {@code models} (as {@link #models} makes them); for any, a choice named model. */
  public static TunerSpace space(String family, Map<String, PipelineStage> models) {
    if (!FAMILIES.contains(family)) throw new IllegalArgumentException("family must be one of " + FAMILIES + ", got '" + family + "'");
    if (!family.equals("any")) {
      PipelineStage model = models.get(family);
      if (model == null) throw new IllegalArgumentException("no " + family + " model among " + models.keySet());
      return ranges(TunerSpace.builder(), family, model).build();
    }
    List<TunerSpace.Option> options = new ArrayList<>();
    for (String a : List.of("gbt", "rf", "linear")) {
      if (models.containsKey(a)) options.add(ranges(TunerSpace.option(a, models.get(a)), a, models.get(a)));
    }
    return TunerSpace.builder().choice("model", options.toArray(new TunerSpace.Option[0])).build();
  }

  /** Adds {@code family}'s ranges over {@code model}'s Params: what works on most tables, wide where a parameter is forgiving. */
  public static <B extends TunerSpace.Entries<B>> B ranges(B entries, String family, PipelineStage model) {
    switch (family) {
      case "gbt" -> entries.integer(intParam(model, "maxDepth"), 2, 8)
          .logInteger(intParam(model, "maxIter"), 10, 100)
          .logUniform(doubleParam(model, "stepSize"), 0.01, 0.3)
          .uniform(doubleParam(model, "subsamplingRate"), 0.5, 1.0)
          .logInteger(intParam(model, "minInstancesPerNode"), 1, 32);
      case "rf" -> entries.logInteger(intParam(model, "numTrees"), 10, 150)
          .integer(intParam(model, "maxDepth"), 3, 12)
          .categorical(model.getParam("featureSubsetStrategy"), "sqrt", "onethird", "all")
          .uniform(doubleParam(model, "subsamplingRate"), 0.5, 1.0)
          .logInteger(intParam(model, "minInstancesPerNode"), 1, 32);
      case "dt" -> entries.integer(intParam(model, "maxDepth"), 1, 15)
          .logInteger(intParam(model, "minInstancesPerNode"), 1, 64);
      case "linear" -> entries.logUniform(doubleParam(model, "regParam"), 1e-5, 1.0)
          .uniform(doubleParam(model, "elasticNetParam"), 0.0, 1.0);
      default -> throw new IllegalArgumentException("no ranges for family '" + family + "': gbt, rf, dt or linear");
    }
    return entries;
  }

  private static IntParam intParam(PipelineStage s, String name) {
    return (IntParam) s.getParam(name);
  }

  private static DoubleParam doubleParam(PipelineStage s, String name) {
    return (DoubleParam) s.getParam(name);
  }
}
