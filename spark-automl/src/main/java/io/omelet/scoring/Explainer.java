package io.omelet.scoring;

import hex.genmodel.GenModel;
import hex.genmodel.PredictContributions;
import hex.genmodel.PredictContributionsFactory;

/**
 * Per-row SHAP contributions for the REST server, from a row array in the model's feature order.
 * One instance per worker thread; the returned array is reused by the next call. The one place to
 * switch to {@code RowContributions} once it is merged.
 */
interface Explainer {
  /** One name per input feature, without the bias. */
  String[] names();

  /** Length {@code names().length + 1}, the last value is the bias; overwritten by the next call. */
  double[] contributions(double[] modelRow);

  /** Whether the MOJO computes contributions (tree models: GBM, DRF, XGBoost). */
  static boolean supported(MojoModel mojo) {
    return mojo.genModel() instanceof PredictContributionsFactory;
  }

  /** A new explainer for {@code mojo}; fails if the MOJO has no contributions. */
  static Explainer of(MojoModel mojo) {
    GenModel g = mojo.genModel();
    if (!(g instanceof PredictContributionsFactory f)) {
      throw new IllegalArgumentException("the model (" + g.getClass().getSimpleName()
          + ") does not compute SHAP contributions: only tree models (GBM, DRF, XGBoost) do");
    }
    return new GenModelContributions(f.makeContributionsPredictor());
  }

  /** h2o-genmodel's own contributions, as EasyPredictModelWrapper.predictContributions computes them. */
  final class GenModelContributions implements Explainer {
    private final PredictContributions predictor;
    private final String[] names;
    private final double[] out;

    GenModelContributions(PredictContributions predictor) {
      this.predictor = predictor;
      String[] all = predictor.getContributionNames();
      // h2o-genmodel names the bias last ("BiasTerm").
      this.names = java.util.Arrays.copyOf(all, all.length - 1);
      this.out = new double[all.length];
    }

    @Override
    public String[] names() {
      return names.clone();
    }

    @Override
    public double[] contributions(double[] modelRow) {
      float[] c = predictor.calculateContributions(modelRow);
      for (int i = 0; i < out.length; i++) out[i] = c[i];
      return out;
    }
  }
}
