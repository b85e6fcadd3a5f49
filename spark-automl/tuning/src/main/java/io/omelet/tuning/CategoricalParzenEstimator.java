package io.omelet.tuning;

import java.util.Random;

/**
 * TPE's l(x) or g(x) for a categorical parameter: each observation puts its weight on its own choice,
 * smoothed by a prior share spread over every choice, plus a prior component that is uniform.
 */
final class CategoricalParzenEstimator {
  private final double[] probabilities;

  /** @param observations choice indices, oldest first; {@code observationWeights} one weight each */
  CategoricalParzenEstimator(int[] observations, double[] observationWeights, int choices, double priorWeight) {
    int n = observations.length;
    double smoothing = priorWeight / (n + 1);
    double rowSum = 1 + smoothing * choices;
    double total = priorWeight;
    for (double w : observationWeights) total += w;
    probabilities = new double[choices];
    for (int c = 0; c < choices; c++) probabilities[c] = priorWeight / choices / total;
    for (int i = 0; i < n; i++) {
      double w = observationWeights[i] / total;
      for (int c = 0; c < choices; c++) probabilities[c] += w * smoothing / rowSum;
      probabilities[observations[i]] += w / rowSum;
    }
  }

  int sample(Random rng) {
    double u = rng.nextDouble();
    double acc = 0;
    for (int c = 0; c < probabilities.length - 1; c++) {
      acc += probabilities[c];
      if (u < acc) return c;
    }
    return probabilities.length - 1;
  }

  double logPdf(int choice) {
    return Math.log(probabilities[choice]);
  }
}
