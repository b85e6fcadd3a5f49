package io.omelet.explain;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * {@link ShapExplainer}'s Params, their defaults and getters, Spark style: a no-argument public method
 * per param (Spark ML finds them by reflection) and a getter for each. The setters are on the explainer.
 */
public abstract class ShapParams extends Transformer {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<Transformer> model;
  private final StringArrayParam inputCols;
  private final Param<String> method;
  private final Param<String> explainedOutput;
  private final IntParam targetClass;
  private final IntParam numSamples;
  private final IntParam backgroundSize;
  private final Param<String> backgroundMode;
  private final LongParam seed;
  private final IntParam rowsPerTask;
  private final Param<String> outputCol;
  private final Param<String> outputForm;
  private final Param<String> baseValueCol;
  private final Param<String> fitCol;

  protected ShapParams(String uid) {
    this.uid = uid;
    model = new Param<>(this, "model", "the fitted model explained (a PipelineModel or any Transformer)");
    inputCols = new StringArrayParam(this, "inputCols",
        "the explained feature columns (default: the raw columns the model reads)");
    method = new Param<>(this, "method", "auto | tree (exact TreeSHAP of Spark trees) | kernel (KernelSHAP, any model)",
        ParamValidators.inArray(new String[] {"auto", "tree", "kernel"}));
    explainedOutput = new Param<>(this, "explainedOutput",
        "auto | probability | raw | prediction: the model output explained",
        ParamValidators.inArray(new String[] {"auto", "probability", "raw", "prediction"}));
    targetClass = new IntParam(this, "targetClass", "the class whose output a classifier explanation explains",
        ParamValidators.gtEq(0));
    numSamples = new IntParam(this, "numSamples", "KernelSHAP coalitions per row (0: 2 x features + 2048)",
        ParamValidators.gtEq(0));
    backgroundSize = new IntParam(this, "backgroundSize", "KernelSHAP background rows (or k-means centres)",
        ParamValidators.gtEq(1));
    backgroundMode = new Param<>(this, "backgroundMode", "sample | kmeans",
        ParamValidators.inArray(new String[] {"sample", "kmeans"}));
    seed = new LongParam(this, "seed", "random seed for the background and coalition sampling");
    rowsPerTask = new IntParam(this, "rowsPerTask", "KernelSHAP explained rows per Spark task", ParamValidators.gtEq(1));
    outputCol = new Param<>(this, "outputCol", "the SHAP values column");
    outputForm = new Param<>(this, "outputForm", "vector | map (feature name to value)",
        ParamValidators.inArray(new String[] {"vector", "map"}));
    baseValueCol = new Param<>(this, "baseValueCol", "the base (expected) value column");
    fitCol = new Param<>(this, "fitCol", "KernelSHAP only: the weighted R^2 of each row's fit");
    setDefault(method, "auto");
    setDefault(explainedOutput, "auto");
    setDefault(targetClass, 1);
    setDefault(numSamples, 0);
    setDefault(backgroundSize, 100);
    setDefault(backgroundMode, "sample");
    setDefault(seed, 42L);
    setDefault(rowsPerTask, 2);
    setDefault(outputCol, "shap");
    setDefault(outputForm, "vector");
    setDefault(baseValueCol, "shap_base");
    setDefault(fitCol, "shap_fit_r2");
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<Transformer> model() { return model; }
  public StringArrayParam inputCols() { return inputCols; }
  public Param<String> method() { return method; }
  public Param<String> explainedOutput() { return explainedOutput; }
  public IntParam targetClass() { return targetClass; }
  public IntParam numSamples() { return numSamples; }
  public IntParam backgroundSize() { return backgroundSize; }
  public Param<String> backgroundMode() { return backgroundMode; }
  public LongParam seed() { return seed; }
  public IntParam rowsPerTask() { return rowsPerTask; }
  public Param<String> outputCol() { return outputCol; }
  public Param<String> outputForm() { return outputForm; }
  public Param<String> baseValueCol() { return baseValueCol; }
  public Param<String> fitCol() { return fitCol; }

  public Transformer getModel() { return $(model); }
  public String[] getInputCols() { return $(inputCols); }
  public String getMethod() { return $(method); }
  public String getExplainedOutput() { return $(explainedOutput); }
  public int getTargetClass() { return (Integer) $(targetClass); }
  public int getNumSamples() { return (Integer) $(numSamples); }
  public int getBackgroundSize() { return (Integer) $(backgroundSize); }
  public String getBackgroundMode() { return $(backgroundMode); }
  public long getSeed() { return (Long) $(seed); }
  public int getRowsPerTask() { return (Integer) $(rowsPerTask); }
  public String getOutputCol() { return $(outputCol); }
  public String getOutputForm() { return $(outputForm); }
  public String getBaseValueCol() { return $(baseValueCol); }
  public String getFitCol() { return $(fitCol); }
}
