package io.omelet.explain;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The coalitions KernelSHAP evaluates, shared by every explained row: bit j of a mask set means
 * feature j takes the explained row's value, clear means it takes the background row's value.
 *
 * <p>Each coalition size s (1 .. M-1) carries the Shapley kernel mass (M-1) / (s (M-s)), spread over
 * its C(M, s) subsets. Sizes are taken in pairs (s, M-s), smallest first, and enumerated completely
 * while the budget left covers the pair at its share of the mass; the rest of the budget is drawn at
 * random (a size by its mass, then a subset, always together with its complement), a repeat adding
 * to the weight of the coalition already drawn. Weights sum to 1.
 */
public final class Coalitions implements Serializable {
  private static final long serialVersionUID = 1L;

  final int numFeatures;
  final long[] masks;
  final double[] weights;
  /** Coalitions from enumerated sizes (the first ones); the rest were sampled. */
  final int enumerated;

  private Coalitions(int numFeatures, long[] masks, double[] weights, int enumerated) {
    this.numFeatures = numFeatures;
    this.masks = masks;
    this.weights = weights;
    this.enumerated = enumerated;
  }

  public int size() {
    return masks.length;
  }

  /** The default budget of the shap library and SynapseML: 2 M + 2048. */
  public static int defaultNumSamples(int numFeatures) {
    return 2 * numFeatures + 2048;
  }

  public static Coalitions sample(int m, int numSamples, long seed) {
    if (m < 1 || m > 63) {
      throw new IllegalArgumentException("KernelSHAP explains 1 to 63 features, got " + m);
    }
    if (numSamples < 1) throw new IllegalArgumentException("numSamples must be positive, got " + numSamples);
    long full = m == 63 ? Long.MAX_VALUE : (1L << m) - 1;
    if (m == 1) return new Coalitions(1, new long[0], new double[0], 0);
    double all = Math.pow(2, m) - 2;
    int budget = (int) Math.min(numSamples, all);

    int numSizes = (m - 1 + 1) / 2; // ceil((m-1)/2)
    int numPaired = (m - 1) / 2;
    double[] sizeMass = new double[numSizes + 1];
    double total = 0;
    for (int s = 1; s <= numSizes; s++) {
      sizeMass[s] = (m - 1.0) / (s * (double) (m - s)) * (s <= numPaired ? 2 : 1);
      total += sizeMass[s];
    }
    for (int s = 1; s <= numSizes; s++) sizeMass[s] /= total;

    List<Long> masks = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    int left = budget;
    double massLeft = 1.0;
    int s = 1;
    for (; s <= numSizes; s++) {
      double subsets = binomial(m, s) * (s <= numPaired ? 2 : 1);
      if (left * sizeMass[s] / massLeft < subsets - 1e-8) break;
      double w = sizeMass[s] / subsets;
      for (long mask : subsetsOfSize(m, s)) {
        masks.add(mask);
        weights.add(w);
        if (s <= numPaired) {
          masks.add(full & ~mask);
          weights.add(w);
        }
      }
      left -= (int) subsets;
      massLeft -= sizeMass[s];
    }
    int enumerated = masks.size();
    if (s <= numSizes && left > 0 && massLeft > 1e-12) {
      SplittableRandom rnd = new SplittableRandom(seed);
      Map<Long, Integer> drawn = new LinkedHashMap<>();
      int firstRandom = s;
      long draws = 0;
      while (drawn.size() < left && draws < 20L * left) {
        double u = rnd.nextDouble() * massLeft;
        int size = firstRandom;
        for (double acc = sizeMass[size]; acc < u && size < numSizes; acc += sizeMass[++size]) { }
        long mask = randomSubset(m, size, rnd);
        drawn.merge(mask, 1, Integer::sum);
        draws++;
        if (drawn.size() < left) {
          drawn.merge(full & ~mask, 1, Integer::sum);
          draws++;
        }
      }
      double count = 0;
      for (int c : drawn.values()) count += c;
      for (Map.Entry<Long, Integer> e : drawn.entrySet()) {
        masks.add(e.getKey());
        weights.add(e.getValue() * massLeft / count);
      }
    }
    long[] ms = masks.stream().mapToLong(Long::longValue).toArray();
    double[] ws = weights.stream().mapToDouble(Double::doubleValue).toArray();
    return new Coalitions(m, ms, ws, enumerated);
  }

  static double binomial(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
    return Math.rint(r);
  }

  private static List<Long> subsetsOfSize(int m, int s) {
    List<Long> out = new ArrayList<>();
    addSubsets(m, s, 0, 0L, out);
    return out;
  }

  private static void addSubsets(int m, int s, int from, long acc, List<Long> out) {
    if (s == 0) {
      out.add(acc);
      return;
    }
    for (int j = from; j <= m - s; j++) addSubsets(m, s - 1, j + 1, acc | (1L << j), out);
  }

  private static long randomSubset(int m, int s, SplittableRandom rnd) {
    // Partial Fisher-Yates over the feature indices.
    int[] idx = new int[m];
    for (int i = 0; i < m; i++) idx[i] = i;
    long mask = 0;
    for (int i = 0; i < s; i++) {
      int j = i + rnd.nextInt(m - i);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      mask |= 1L << idx[i];
    }
    return mask;
  }
}
