package io.omelet.trees;

/**
 * The path of path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, algorithm 2): the unique
 * features met on the way down with, for each, the share of training cover that flows through
 * ("zero fraction", feature unknown) and whether the row itself follows the path ("one fraction"),
 * plus the permutation weights of every subset size. Slices of the buffers hold one node's path each,
 * so a recursion copies its parent's slice instead of allocating. Divisions are multiplications by
 * precomputed inverses.
 */
final class PathMath {
  final int[] feature;
  final double[] zero;
  final double[] one;
  final double[] weight;

  PathMath(int size) {
    feature = new int[size];
    zero = new double[size];
    one = new double[size];
    weight = new double[size];
  }

  /** inverse[k] = 1 / k. */
  static double[] inverses(int n) {
    double[] inverse = new double[n];
    for (int k = 1; k < n; k++) inverse[k] = 1.0 / k;
    return inverse;
  }

  /** Copies the path slice at {@code from} (length len) to {@code to}. */
  void copy(int from, int to, int len) {
    System.arraycopy(feature, from, feature, to, len);
    System.arraycopy(zero, from, zero, to, len);
    System.arraycopy(one, from, one, to, len);
    System.arraycopy(weight, from, weight, to, len);
  }

  /** Appends element {@code len} to the slice at {@code off} and updates the subset-size weights. */
  void extend(double[] inverse, int off, int len, double zeroFraction, double oneFraction, int feat) {
    feature[off + len] = feat;
    zero[off + len] = zeroFraction;
    one[off + len] = oneFraction;
    weight[off + len] = len == 0 ? 1.0 : 0.0;
    double inv = inverse[len + 1];
    double oneInv = oneFraction * inv;
    double zeroInv = zeroFraction * inv;
    for (int i = len - 1; i >= 0; i--) {
      double w = weight[off + i];
      weight[off + i + 1] += oneInv * w * (i + 1);
      weight[off + i] = zeroInv * w * (len - i);
    }
  }

  /** Inverse of extend for element {@code k}; {@code last} is the last index before removal. */
  void unwind(double[] inverse, int off, int last, int k) {
    double o = one[off + k];
    double z = zero[off + k];
    double next = weight[off + last];
    double denom = last + 1;
    double invDenom = inverse[last + 1];
    if (o != 0) {
      double denomOverOne = denom / o;
      double zeroInv = z * invDenom;
      for (int j = last - 1; j >= 0; j--) {
        double saved = weight[off + j];
        double w = next * denomOverOne * inverse[j + 1];
        weight[off + j] = w;
        next = saved - w * zeroInv * (last - j);
      }
    } else {
      double denomOverZero = denom / z;
      for (int j = last - 1; j >= 0; j--) weight[off + j] *= denomOverZero * inverse[last - j];
    }
    for (int j = k; j < last; j++) {
      feature[off + j] = feature[off + j + 1];
      zero[off + j] = zero[off + j + 1];
      one[off + j] = one[off + j + 1];
    }
  }

  /** Total weight the path would have after unwinding element {@code k}, without changing it. */
  double unwoundSum(double[] inverse, int off, int last, int k) {
    double o = one[off + k];
    double z = zero[off + k];
    double next = weight[off + last];
    double denom = last + 1;
    double total = 0;
    if (o != 0) {
      double denomOverOne = denom / o;
      double zeroInv = z * inverse[last + 1];
      for (int j = last - 1; j >= 0; j--) {
        double w = next * denomOverOne * inverse[j + 1];
        total += w;
        next = weight[off + j] - w * zeroInv * (last - j);
      }
    } else {
      double denomOverZero = denom / z;
      for (int j = last - 1; j >= 0; j--) total += weight[off + j] * inverse[last - j];
      total *= denomOverZero;
    }
    return total;
  }
}
