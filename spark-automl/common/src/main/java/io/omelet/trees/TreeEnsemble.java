package io.omelet.trees;

import java.io.Serializable;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.Split;

/**
 * The trees of a fitted Spark ML tree model as a {@link FlatForest} (the same flat trees H2O models
 * are scored and explained from), so one broadcast ships the whole ensemble to the executors and
 * {@link TreeShap} walks it without an object per node. Spark's "left when x <= threshold" becomes
 * the forest's "right when x >= the next double above threshold"; NaN goes right, as in Spark; a
 * categorical split's left categories become its routing table (categories are Spark's integral
 * indices).
 *
 * <p>The explained output is a weighted sum of per-tree leaf values: for GBT the raw margin (Spark's
 * rawPrediction of the target class; for classification P = 1 / (1 + exp(-2 margin))), for random
 * forest and decision tree classifiers the probability of the target class, for regressors the
 * prediction.
 */
public final class TreeEnsemble implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What the leaf values of this ensemble add up to. */
  public enum Output { MARGIN, PROBABILITY, PREDICTION }

  private final Output output;
  private final FlatForest forest;

  private TreeEnsemble(Output output, FlatForest forest) {
    this.output = output;
    this.forest = forest;
  }

  /** True when {@code model} is a Spark ML tree model this class can flatten. */
  public static boolean supports(Transformer model) {
    return model instanceof GBTClassificationModel || model instanceof GBTRegressionModel
        || model instanceof RandomForestClassificationModel || model instanceof RandomForestRegressionModel
        || model instanceof DecisionTreeClassificationModel || model instanceof DecisionTreeRegressionModel;
  }

  /** The output a model's trees explain exactly (see the class comment). */
  public static Output naturalOutput(Transformer model) {
    if (model instanceof GBTClassificationModel) return Output.MARGIN;
    if (model instanceof RandomForestClassificationModel || model instanceof DecisionTreeClassificationModel) {
      return Output.PROBABILITY;
    }
    return Output.PREDICTION;
  }

  /**
   * Flattens {@code model}. {@code targetClass} picks the class explained by classifiers (GBT: 0 or 1,
   * the margin of class 0 being minus that of class 1).
   */
  public static TreeEnsemble of(Transformer model, int targetClass) {
    FlatForest.Builder b = new FlatForest.Builder();
    int numFeatures;
    if (model instanceof GBTClassificationModel m) {
      if (targetClass != 0 && targetClass != 1) {
        throw new IllegalArgumentException("targetClass " + targetClass + " is not a class of this binary GBT classifier (expected 0 or 1)");
      }
      double sign = targetClass == 1 ? 1.0 : -1.0;
      DecisionTreeRegressionModel[] trees = m.trees();
      for (int t = 0; t < trees.length; t++) b.tree(add(b, trees[t].rootNode(), -1), 0, sign * m.treeWeights()[t]);
      numFeatures = m.numFeatures();
    } else if (model instanceof GBTRegressionModel m) {
      DecisionTreeRegressionModel[] trees = m.trees();
      for (int t = 0; t < trees.length; t++) b.tree(add(b, trees[t].rootNode(), -1), 0, m.treeWeights()[t]);
      numFeatures = m.numFeatures();
    } else if (model instanceof RandomForestClassificationModel m) {
      checkClass(targetClass, m.numClasses());
      DecisionTreeClassificationModel[] trees = m.trees();
      for (DecisionTreeClassificationModel tree : trees) b.tree(add(b, tree.rootNode(), targetClass), 0, 1.0 / trees.length);
      numFeatures = m.numFeatures();
    } else if (model instanceof RandomForestRegressionModel m) {
      DecisionTreeRegressionModel[] trees = m.trees();
      for (DecisionTreeRegressionModel tree : trees) b.tree(add(b, tree.rootNode(), -1), 0, 1.0 / trees.length);
      numFeatures = m.numFeatures();
    } else if (model instanceof DecisionTreeClassificationModel m) {
      checkClass(targetClass, m.numClasses());
      b.tree(add(b, m.rootNode(), targetClass), 0, 1.0);
      numFeatures = m.numFeatures();
    } else if (model instanceof DecisionTreeRegressionModel m) {
      b.tree(add(b, m.rootNode(), -1), 0, 1.0);
      numFeatures = m.numFeatures();
    } else {
      throw new IllegalArgumentException("model " + model.getClass().getSimpleName() + " is not a Spark ML tree model");
    }
    return new TreeEnsemble(naturalOutput(model), b.build(numFeatures, 0.0));
  }

  private static void checkClass(int targetClass, int numClasses) {
    if (targetClass < 0 || targetClass >= numClasses) {
      throw new IllegalArgumentException("targetClass " + targetClass + " is out of range: the model has "
          + numClasses + " classes (0.." + (numClasses - 1) + ")");
    }
  }

  /** Adds the subtree at {@code node}, depth first; a class index >= 0 makes leaves hold that class's probability. */
  private static int add(FlatForest.Builder b, Node node, int classIndex) {
    int id = b.allocate(1);
    double cover = node.impurityStats().count();
    if (node instanceof InternalNode in) {
      int l = add(b, in.leftChild(), classIndex);
      int r = add(b, in.rightChild(), classIndex);
      Split split = in.split();
      if (split instanceof ContinuousSplit cs) {
        b.numeric(id, split.featureIndex(), Math.nextUp(cs.threshold()), false, cover, l, r);
      } else {
        CategoricalSplit cs = (CategoricalSplit) split;
        boolean[] goesRight = new boolean[cs.numCategories()];
        java.util.Arrays.fill(goesRight, true);
        for (double c : cs.leftCategories()) if (c >= 0 && c < goesRight.length) goesRight[(int) c] = false;
        b.categorical(id, split.featureIndex(), goesRight, false, false, 0.0, cover, l, r);
      }
    } else {
      LeafNode leaf = (LeafNode) node;
      double v;
      if (classIndex < 0) {
        v = leaf.prediction();
      } else {
        double[] stats = leaf.impurityStats().stats();
        double total = 0;
        for (double s : stats) total += s;
        v = total > 0 ? stats[classIndex] / total : 0.0;
      }
      b.leaf(id, v, cover);
    }
    return id;
  }

  public int numTrees() {
    return forest.numTrees();
  }

  public int numSlots() {
    return forest.numFeatures();
  }

  public Output output() {
    return output;
  }

  /** The flat trees (one output). */
  public FlatForest forest() {
    return forest;
  }

  /** A TreeSHAP of these trees for one thread. */
  public TreeShap shap() {
    return new TreeShap(forest, 0);
  }

  /** The model's output for {@code x}: the weighted sum of the leaves reached. */
  public double predict(double[] x) {
    return forest.output(0, x);
  }

  /** The expected output under the training distribution the covers describe (TreeSHAP's base value). */
  public double expectedValue() {
    return forest.expectedValue(0);
  }
}
