package io.omelet.scoring;

import hex.genmodel.GenModel;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Scores rows one after the other into reused arrays: the input row is copied into the model's
 * double[] (see {@link FeatureBinding#fill}) and handed to {@link GenModel#score0}. One per task
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
  /** Flat trees for a GBM (exactly h2o-genmodel's result, faster); null: h2o-genmodel's score0. */
  private final GbmForest forest;

  public RowScorer(MojoModel mojo, FeatureBinding binding) {
    this.model = mojo.genModel();
    this.binding = binding;
    this.row = new double[Math.max(model.getNames().length, model.nfeatures())];
    this.preds = new double[model.getPredsSize()];
    this.forest = GbmForest.of(mojo);
  }

  /** Scores one input row; the returned array is overwritten by the next call. */
  public double[] score(InternalRow in) {
    binding.fill(in, row);
    return score(row);
  }

  /** Scores an already prepared row array (features in the model's order). */
  public double[] score(double[] modelRow) {
    if (forest != null) return forest.score0(modelRow, preds);
    java.util.Arrays.fill(preds, 0.0);
    return model.score0(modelRow, preds);
  }

  public int predsSize() {
    return preds.length;
  }
}
