package io.omelet.explain;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

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
 * The trees of a fitted Spark ML tree model flattened into primitive arrays, so one broadcast ships
 * the whole ensemble to the executors and TreeSHAP walks it without an object per node.
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

  final int numSlots;
  final Output output;
  final int[] treeRoot;
  final double[] treeWeight;
  // Per node, all trees concatenated. feature < 0 marks a leaf.
  final int[] feature;
  final double[] threshold;
  final int[] left;
  final int[] right;
  final double[] value;
  final double[] cover;
  // Categorical splits: left when x[feature] is one of cats[catStart .. catStart + catLen).
  final int[] catStart;
  final int[] catLen;
  final double[] cats;
  final int maxDepth;

  private TreeEnsemble(int numSlots, Output output, int[] treeRoot, double[] treeWeight, Builder b) {
    this.numSlots = numSlots;
    this.output = output;
    this.treeRoot = treeRoot;
    this.treeWeight = treeWeight;
    int n = b.feature.size();
    feature = new int[n];
    threshold = new double[n];
    left = new int[n];
    right = new int[n];
    value = new double[n];
    cover = new double[n];
    catStart = new int[n];
    catLen = new int[n];
    for (int i = 0; i < n; i++) {
      feature[i] = b.feature.get(i);
      threshold[i] = b.threshold.get(i);
      left[i] = b.left.get(i);
      right[i] = b.right.get(i);
      value[i] = b.value.get(i);
      cover[i] = b.cover.get(i);
      catStart[i] = b.catStart.get(i);
      catLen[i] = b.catLen.get(i);
    }
    cats = b.cats.stream().mapToDouble(Double::doubleValue).toArray();
    maxDepth = b.maxDepth;
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
    Builder b = new Builder();
    List<Integer> roots = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    int numSlots;
    if (model instanceof GBTClassificationModel m) {
      if (targetClass != 0 && targetClass != 1) {
        throw new IllegalArgumentException("targetClass " + targetClass + " is not a class of this binary GBT classifier (expected 0 or 1)");
      }
      double sign = targetClass == 1 ? 1.0 : -1.0;
      DecisionTreeRegressionModel[] trees = m.trees();
      for (int t = 0; t < trees.length; t++) {
        roots.add(b.add(trees[t].rootNode(), -1, 0));
        weights.add(sign * m.treeWeights()[t]);
      }
      numSlots = m.numFeatures();
    } else if (model instanceof GBTRegressionModel m) {
      DecisionTreeRegressionModel[] trees = m.trees();
      for (int t = 0; t < trees.length; t++) {
        roots.add(b.add(trees[t].rootNode(), -1, 0));
        weights.add(m.treeWeights()[t]);
      }
      numSlots = m.numFeatures();
    } else if (model instanceof RandomForestClassificationModel m) {
      checkClass(targetClass, m.numClasses());
      DecisionTreeClassificationModel[] trees = m.trees();
      for (DecisionTreeClassificationModel tree : trees) {
        roots.add(b.add(tree.rootNode(), targetClass, 0));
        weights.add(1.0 / trees.length);
      }
      numSlots = m.numFeatures();
    } else if (model instanceof RandomForestRegressionModel m) {
      DecisionTreeRegressionModel[] trees = m.trees();
      for (DecisionTreeRegressionModel tree : trees) {
        roots.add(b.add(tree.rootNode(), -1, 0));
        weights.add(1.0 / trees.length);
      }
      numSlots = m.numFeatures();
    } else if (model instanceof DecisionTreeClassificationModel m) {
      checkClass(targetClass, m.numClasses());
      roots.add(b.add(m.rootNode(), targetClass, 0));
      weights.add(1.0);
      numSlots = m.numFeatures();
    } else if (model instanceof DecisionTreeRegressionModel m) {
      roots.add(b.add(m.rootNode(), -1, 0));
      weights.add(1.0);
      numSlots = m.numFeatures();
    } else {
      throw new IllegalArgumentException("model " + model.getClass().getSimpleName() + " is not a Spark ML tree model");
    }
    return new TreeEnsemble(numSlots, naturalOutput(model),
        roots.stream().mapToInt(Integer::intValue).toArray(),
        weights.stream().mapToDouble(Double::doubleValue).toArray(), b);
  }

  private static void checkClass(int targetClass, int numClasses) {
    if (targetClass < 0 || targetClass >= numClasses) {
      throw new IllegalArgumentException("targetClass " + targetClass + " is out of range: the model has "
          + numClasses + " classes (0.." + (numClasses - 1) + ")");
    }
  }

  public int numTrees() {
    return treeRoot.length;
  }

  public int numSlots() {
    return numSlots;
  }

  public Output output() {
    return output;
  }

  boolean goesLeft(int node, double[] x) {
    double v = x[feature[node]];
    int len = catLen[node];
    if (len == 0) return v <= threshold[node];
    int s = catStart[node];
    for (int i = s; i < s + len; i++) if (cats[i] == v) return true;
    return false;
  }

  /** The model's output for {@code x}: the weighted sum of the leaves reached. */
  public double predict(double[] x) {
    double sum = 0;
    for (int t = 0; t < treeRoot.length; t++) {
      int n = treeRoot[t];
      while (feature[n] >= 0) n = goesLeft(n, x) ? left[n] : right[n];
      sum += treeWeight[t] * value[n];
    }
    return sum;
  }

  /** The expected output under the training distribution the covers describe (TreeSHAP's base value). */
  public double expectedValue() {
    double sum = 0;
    for (int t = 0; t < treeRoot.length; t++) sum += treeWeight[t] * expected(treeRoot[t]);
    return sum;
  }

  double expected(int n) {
    if (feature[n] < 0) return value[n];
    if (cover[n] <= 0) return 0.5 * (expected(left[n]) + expected(right[n]));
    return (cover[left[n]] * expected(left[n]) + cover[right[n]] * expected(right[n])) / cover[n];
  }

  /** Grows the node arrays tree by tree, depth first. */
  private static final class Builder {
    final List<Integer> feature = new ArrayList<>();
    final List<Double> threshold = new ArrayList<>();
    final List<Integer> left = new ArrayList<>();
    final List<Integer> right = new ArrayList<>();
    final List<Double> value = new ArrayList<>();
    final List<Double> cover = new ArrayList<>();
    final List<Integer> catStart = new ArrayList<>();
    final List<Integer> catLen = new ArrayList<>();
    final List<Double> cats = new ArrayList<>();
    int maxDepth;

    /** Adds the subtree at {@code node}; a class index >= 0 makes leaves hold that class's probability. */
    int add(Node node, int classIndex, int depth) {
      maxDepth = Math.max(maxDepth, depth);
      int id = feature.size();
      feature.add(-1);
      threshold.add(0.0);
      left.add(-1);
      right.add(-1);
      value.add(0.0);
      cover.add(node.impurityStats().count());
      catStart.add(0);
      catLen.add(0);
      if (node instanceof InternalNode in) {
        Split split = in.split();
        feature.set(id, split.featureIndex());
        if (split instanceof ContinuousSplit cs) {
          threshold.set(id, cs.threshold());
        } else {
          double[] leftCats = ((CategoricalSplit) split).leftCategories();
          catStart.set(id, cats.size());
          catLen.set(id, leftCats.length);
          for (double c : leftCats) cats.add(c);
        }
        int l = add(in.leftChild(), classIndex, depth + 1);
        int r = add(in.rightChild(), classIndex, depth + 1);
        left.set(id, l);
        right.set(id, r);
      } else {
        LeafNode leaf = (LeafNode) node;
        if (classIndex < 0) {
          value.set(id, leaf.prediction());
        } else {
          double[] stats = leaf.impurityStats().stats();
          double total = 0;
          for (double s : stats) total += s;
          value.set(id, total > 0 ? stats[classIndex] / total : 0.0);
        }
      }
      return id;
    }
  }
}
