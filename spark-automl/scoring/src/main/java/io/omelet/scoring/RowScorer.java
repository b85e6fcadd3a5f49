package io.omelet.scoring;

import hex.genmodel.GenModel;
import hex.genmodel.algos.tree.SharedTreeMojoModel;
import io.omelet.trees.FlatForest;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Scores rows one after the other into reused arrays: the input row is copied into the model's
 * double[] (see {@link FeatureBinding#fill}) and handed to {@link GenModel#score0}, or, for a GBM or DRF, summed over its flat trees
 * ({@link H2OForest}) and finished by h2o-genmodel's own {@code unifyPreds}. One per task
 * or thread (not thread-safe); the loaded model itself is shared.
 *
 * <p>The result array is h2o-genmodel's: for a classifier {@code [labelIndex, p0, p1, ...]} (the
 * label chosen by the model's own rule, e.g. the F1-optimal threshold of a binomial model), for
 * regression {@code [value]}.
 */
public final class RowScorer {
  private final GenModel model;
  private final FeatureBinding binding;
  private final double[] row;
  private final double[] preds;
  /** Flat trees of a GBM or DRF (exactly h2o-genmodel's result, faster); null: h2o-genmodel's score0. */
  private final FlatForest forest;
  private final SharedTreeMojoModel trees;
  /** Where the trees' sums go in the prediction array: 1 for a classifier (0 is the label), else 0. */
  private final int base;

  public RowScorer(MojoModel mojo, FeatureBinding binding) {
    this(mojo, binding, false);
  }

  /** With {@code alwaysFlat}, the flat trees are used wherever they exist (to test them against score0). */
  RowScorer(MojoModel mojo, FeatureBinding binding, boolean alwaysFlat) {
    this.model = mojo.genModel();
    this.binding = binding;
    this.row = new double[Math.max(model.getNames().length, model.nfeatures())];
    this.preds = new double[model.getPredsSize()];
    // A multinomial DRF's deep per-class trees scored 0.71x score0's speed flat (bin/bench trees):
    // it keeps score0 for scoring; its flat trees still serve TreeSHAP.
    boolean slowerFlat = model instanceof hex.genmodel.algos.drf.DrfMojoModel && model.isClassifier()
        && model.getNumResponseClasses() > 2;
    this.forest = slowerFlat && !alwaysFlat ? null : H2OForest.of(mojo).orElse(null);
    this.trees = forest == null ? null : (SharedTreeMojoModel) model;
    this.base = model.isClassifier() ? 1 : 0;
  }

  /** Scores one input row; the returned array is overwritten by the next call. */
  public double[] score(InternalRow in) {
    binding.fill(in, row);
    return score(row);
  }

  /** Scores an already prepared row array (features in the model's order). */
  public double[] score(double[] modelRow) {
    java.util.Arrays.fill(preds, 0.0);
    if (forest != null) {
      forest.addLeaves(modelRow, preds, base);
      return trees.unifyPreds(modelRow, 0.0, preds);
    }
    return model.score0(modelRow, preds);
  }

  public int predsSize() {
    return preds.length;
  }
}
