package io.omelet.tuning;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A standard objective with a known minimum, to measure samplers by regret (best value found minus the
 * minimum) in tests and in {@code bin/bench tuning}. The benchmark's Optuna script defines the same
 * functions and spaces.
 */
public record TestFunction(String name, SearchSpace space, ToDoubleFunction<Map<String, Object>> objective,
    double minimum) {

  public double evaluate(Map<String, Object> params) {
    return objective.applyAsDouble(params);
  }

  /** Branin-Hoo on [-5, 10] x [0, 15]: three global minima of 0.397887. */
  public static TestFunction branin() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x1", -5, 10), Parameter.uniform("x2", 0, 15));
    return new TestFunction("branin", space, p -> {
      double x1 = num(p, "x1");
      double x2 = num(p, "x2");
      double b = 5.1 / (4 * Math.PI * Math.PI);
      double c = 5 / Math.PI;
      double t = 1 / (8 * Math.PI);
      double u = x2 - b * x1 * x1 + c * x1 - 6;
      return u * u + 10 * (1 - t) * Math.cos(x1) + 10;
    }, 0.397887);
  }

  private static final double[] H6_ALPHA = {1.0, 1.2, 3.0, 3.2};
  private static final double[][] H6_A = {
      {10, 3, 17, 3.5, 1.7, 8},
      {0.05, 10, 17, 0.1, 8, 14},
      {3, 3.5, 1.7, 10, 17, 8},
      {17, 8, 0.05, 10, 0.1, 14}};
  private static final double[][] H6_P = {
      {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
      {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
      {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
      {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

  /** Hartmann-6 on [0, 1]^6: minimum -3.32237. */
  public static TestFunction hartmann6() {
    Parameter[] xs = new Parameter[6];
    for (int i = 0; i < 6; i++) xs[i] = Parameter.uniform("x" + (i + 1), 0, 1);
    return new TestFunction("hartmann6", SearchSpace.of(xs), p -> {
      double sum = 0;
      for (int i = 0; i < 4; i++) {
        double inner = 0;
        for (int j = 0; j < 6; j++) {
          double d = num(p, "x" + (j + 1)) - H6_P[i][j];
          inner += H6_A[i][j] * d * d;
        }
        sum += H6_ALPHA[i] * Math.exp(-inner);
      }
      return -sum;
    }, -3.32237);
  }

  /**
   * A mixed space: a shared float {@code x}, a boolean {@code flag}, and {@code model} in {linear, tree,
   * constant} whose first two choices bring their own parameters ({@code linear.lr} log-uniform,
   * {@code tree.depth} integer and {@code tree.criterion} categorical). Minimum 0 at model = linear,
   * x = 1, linear.lr = 0.01, flag = true; the best tree is 0.5 and constant 1.5.
   */
  public static TestFunction mixed() {
    SearchSpace space = SearchSpace.of(
        Parameter.uniform("x", -5, 5),
        Parameter.categorical("flag", true, false),
        Parameter.categorical("model", "linear", "tree", "constant")
            .when("linear", Parameter.logUniform("linear.lr", 1e-4, 1))
            .when("tree", Parameter.integer("tree.depth", 1, 12), Parameter.categorical("tree.criterion", "gini", "entropy")));
    return new TestFunction("mixed", space, p -> {
      double x = num(p, "x");
      double f = switch ((String) p.get("model")) {
        case "linear" -> {
          double lr = Math.log10(num(p, "linear.lr")) + 2;
          yield (x - 1) * (x - 1) + lr * lr;
        }
        case "tree" -> {
          double d = num(p, "tree.depth") - 8;
          yield 0.5 + 0.5 * (x - 1) * (x - 1) + 0.05 * d * d + ("entropy".equals(p.get("tree.criterion")) ? 0.2 : 0);
        }
        default -> 1.5 + 0.1 * (x - 1) * (x - 1);
      };
      return f + (Boolean.TRUE.equals(p.get("flag")) ? 0 : 0.25);
    }, 0.0);
  }

  /**
   * Four floats a, b, c, d on [0, 1] and a categorical {@code kind}, where c dominates by construction:
   * 20 (c - 0.5)^2 varies about a hundred times more than any other term. fANOVA must rank c first.
   */
  public static TestFunction dominated() {
    SearchSpace space = SearchSpace.of(
        Parameter.uniform("a", 0, 1), Parameter.uniform("b", 0, 1), Parameter.uniform("c", 0, 1),
        Parameter.uniform("d", 0, 1), Parameter.categorical("kind", "p", "q"));
    return new TestFunction("dominated", space, p -> {
      double c = num(p, "c") - 0.5;
      return 20 * c * c + 0.5 * num(p, "a") + 0.3 * num(p, "b") + 0.2 * num(p, "d") + ("q".equals(p.get("kind")) ? 0.1 : 0);
    }, 0.0);
  }

  private static double num(Map<String, Object> p, String name) {
    return ((Number) p.get(name)).doubleValue();
  }
}
