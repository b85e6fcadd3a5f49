package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FanovaImportanceTest {
  private static Study run(TestFunction f, Sampler sampler, int trials) {
    Study study = new Study(f.space(), Direction.MINIMIZE, sampler, Pruner.NONE);
    for (int i = 0; i < trials; i++) {
      TrialRun run = study.ask();
      run.complete(f.evaluate(run.params()));
    }
    return study;
  }

  @Test
  void theDominatingParameterRanksFirst() {
    for (Sampler sampler : List.of(new RandomSampler(1), new TpeSampler(1))) {
      Map<String, Double> importance = new FanovaImportance(1).evaluate(run(TestFunction.dominated(), sampler, 80));
      List<String> order = new ArrayList<>(importance.keySet());
      assertEquals("c", order.get(0), importance.toString());
      assertTrue(importance.get("c") > 0.8, importance.toString());
      assertEquals(1.0, importance.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
      assertEquals(5, importance.size());
    }
  }

  @Test
  void theSameSeedGivesTheSameImportance() {
    Study study = run(TestFunction.hartmann6(), new RandomSampler(2), 60);
    assertEquals(new FanovaImportance(5).evaluate(study), new FanovaImportance(5).evaluate(study));
  }

  @Test
  void aCategoricalThatDecidesTheValueIsImportant() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("noise", 0, 1),
        Parameter.categorical("model", "gbt", "rf", "lr")
            .when("gbt", Parameter.logUniform("gbt.stepSize", 1e-3, 1))
            .when("rf", Parameter.integer("rf.numTrees", 10, 100)));
    TestFunction f = new TestFunction("branches", space,
        p -> ("lr".equals(p.get("model")) ? 5 : 0) + 0.05 * ((Number) p.get("noise")).doubleValue(), 0);
    Map<String, Double> importance = new FanovaImportance(3).evaluate(run(f, new RandomSampler(3), 60));
    assertEquals("model", importance.keySet().iterator().next(), importance.toString());
    assertTrue(importance.get("model") > 0.8, importance.toString());
    // The children do not take credit for their parent's effect.
    assertTrue(importance.get("gbt.stepSize") < 0.1 && importance.get("rf.numTrees") < 0.1, importance.toString());
  }

  @Test
  void tooFewOrFlatTrialsAreRefused() {
    Study one = run(TestFunction.branin(), new RandomSampler(1), 1);
    assertEquals("fANOVA needs at least 2 completed trials with finite values, got 1",
        assertThrows(IllegalArgumentException.class, () -> new FanovaImportance(1).evaluate(one)).getMessage());
    TestFunction flat = new TestFunction("flat", TestFunction.branin().space(), p -> 1.0, 1.0);
    Study flatStudy = run(flat, new RandomSampler(1), 10);
    assertEquals("the completed trials' values do not vary with the parameters: no importance to share",
        assertThrows(IllegalStateException.class, () -> new FanovaImportance(1).evaluate(flatStudy)).getMessage());
  }

  @Test
  void exactVariancesOfAKnownTree() {
    // y = 4 when x0 > 0.5 else 0, x1 irrelevant: the tree splits x0 once; total variance 4, all of it x0's.
    double[][] x = {{0.1, 0.2}, {0.3, 0.9}, {0.7, 0.1}, {0.9, 0.8}};
    double[] y = {0, 0, 4, 4};
    RegressionTree tree = new RegressionTree(x, y, new int[] {0, 1, 2, 3}, new java.util.Random(1), 64, 2);
    double[] lo = {0, 0};
    double[] hi = {1, 1};
    assertEquals(0.5, tree.threshold(0), 1e-12);
    assertEquals(4.0, FanovaImportance.totalVariance(tree, lo, hi), 1e-12);
    assertEquals(4.0, FanovaImportance.marginalVariance(tree, 0, lo, hi), 1e-12);
    assertEquals(0.0, FanovaImportance.marginalVariance(tree, 1, lo, hi), 1e-12);
  }
}
