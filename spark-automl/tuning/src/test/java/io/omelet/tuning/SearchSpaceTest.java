package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SearchSpaceTest {
  private static String message(Executable e) {
    return assertThrows(IllegalArgumentException.class, e).getMessage();
  }

  @Test
  void badBoundsAreNamed() {
    assertEquals("the search space is empty: give it at least one parameter", message(() -> SearchSpace.of()));
    assertEquals("the search space is empty: give it at least one parameter", message(() -> SearchSpace.of(List.of())));
    assertEquals("parameter x: low (5.0) must be below high (1.0)", message(() -> Parameter.uniform("x", 5, 1)));
    assertEquals("parameter x: low (1.0) must be below high (1.0)", message(() -> Parameter.uniform("x", 1, 1)));
    assertEquals("parameter d: low (3) must be below high (3)", message(() -> Parameter.integer("d", 3, 3)));
    assertEquals("parameter lr: a log-uniform range needs low > 0, got 0.0", message(() -> Parameter.logUniform("lr", 0, 1)));
    assertEquals("parameter lr: a log-uniform range needs low > 0, got -1.0", message(() -> Parameter.logUniform("lr", -1, 1)));
    assertEquals("parameter n: a log integer range needs low >= 1, got 0", message(() -> Parameter.logInteger("n", 0, 100)));
    assertEquals("parameter x: bounds must be finite, got [0.0, Infinity]",
        message(() -> Parameter.uniform("x", 0, Double.POSITIVE_INFINITY)));
    assertEquals("a parameter needs a non-blank name", message(() -> Parameter.uniform(" ", 0, 1)));
  }

  @Test
  void badStepsAreNamed() {
    assertEquals("parameter d: step 2 does not divide the range [1, 10] (high - low = 9)",
        message(() -> Parameter.integer("d", 1, 10, 2)));
    assertEquals("parameter d: step must be >= 1, got 0", message(() -> Parameter.integer("d", 1, 10, 0)));
    assertEquals("parameter d: step must be >= 1, got -2", message(() -> Parameter.integer("d", 1, 10, -2)));
    assertEquals(List.of(2, 5, 8, 11), Parameter.integer("d", 2, 11, 3).gridValues(5));
  }

  @Test
  void badCategoricalsAreNamed() {
    assertEquals("parameter model: a categorical needs at least one choice", message(() -> Parameter.categorical("model")));
    assertEquals("parameter model: a categorical needs at least one choice",
        message(() -> Parameter.categorical("model", List.of())));
    assertEquals("parameter model: choice 'rf' appears twice", message(() -> Parameter.categorical("model", "rf", "gbt", "rf")));
    assertEquals("parameter model: a choice cannot be null", message(() -> Parameter.categorical("model", "rf", null)));
    assertEquals("parameter model has no choice 'xgb' (choices: [gbt, rf])",
        message(() -> Parameter.categorical("model", "gbt", "rf").when("xgb", Parameter.integer("xgb.depth", 1, 5))));
  }

  @Test
  void duplicateNamesAreNamedAcrossBranches() {
    assertEquals("parameter name 'x' appears twice in the search space; qualify the names of conditional branches (e.g. gbt.x)",
        message(() -> SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.uniform("x", 0, 2))));
    CategoricalParameter model = Parameter.categorical("model", "gbt", "rf")
        .when("gbt", Parameter.integer("maxDepth", 2, 8))
        .when("rf", Parameter.integer("maxDepth", 2, 20));
    assertTrue(message(() -> SearchSpace.of(model)).startsWith("parameter name 'maxDepth' appears twice"));
  }

  @Test
  void conditionalChildrenAreActiveOnlyUnderTheirChoice() {
    SearchSpace space = SearchSpace.of(
        Parameter.categorical("model", "gbt", "rf", "lr")
            .when("gbt", Parameter.logUniform("gbt.stepSize", 1e-3, 1),
                Parameter.categorical("gbt.loss", "squared", "absolute")
                    .when("absolute", Parameter.uniform("gbt.absolute.delta", 0.1, 1)))
            .when("rf", Parameter.integer("rf.numTrees", 10, 200)),
        Parameter.categorical("standardize", true, false));
    assertEquals(List.of("model", "gbt.stepSize", "gbt.loss", "gbt.absolute.delta", "rf.numTrees", "standardize"),
        space.allParameters().stream().map(Parameter::name).toList());
    Random rng = new Random(1);
    int nested = 0;
    for (int i = 0; i < 300; i++) {
      Map<String, Object> p = space.sampleUniform(rng);
      Object model = p.get("model");
      assertEquals("gbt".equals(model), p.containsKey("gbt.stepSize"), p.toString());
      assertEquals("gbt".equals(model), p.containsKey("gbt.loss"), p.toString());
      assertEquals("absolute".equals(p.get("gbt.loss")), p.containsKey("gbt.absolute.delta"), p.toString());
      assertEquals("rf".equals(model), p.containsKey("rf.numTrees"), p.toString());
      assertTrue(p.get("standardize") instanceof Boolean);
      if (p.containsKey("gbt.absolute.delta")) nested++;
      assertEquals(p, space.check(p));
    }
    assertTrue(nested > 20, "the nested branch is reached: " + nested);
  }

  @Test
  void checkNamesWhatIsWrongWithParameters() {
    SearchSpace space = SearchSpace.of(Parameter.categorical("model", "gbt", "rf")
        .when("rf", Parameter.integer("rf.numTrees", 10, 200)), Parameter.uniform("x", 0, 1));
    assertEquals(Map.of("model", "rf", "rf.numTrees", 50, "x", 0.5),
        space.check(Map.of("model", "rf", "rf.numTrees", 50L, "x", "0.5")));
    assertTrue(message(() -> space.check(Map.of("model", "rf", "x", 0.5))).contains("miss 'rf.numTrees'"));
    assertTrue(message(() -> space.check(Map.of("model", "gbt", "rf.numTrees", 50, "x", 0.5)))
        .startsWith("parameter 'rf.numTrees' is not active"));
    assertEquals("the search space has no parameter 'y'", message(() -> space.check(Map.of("model", "gbt", "x", 0.5, "y", 1))));
    assertEquals("parameter x: 2.0 is outside [0.0, 1.0]", message(() -> space.check(Map.of("model", "gbt", "x", 2))));
    assertEquals("parameter model: 'xgb' is not one of [gbt, rf]", message(() -> space.check(Map.of("model", "xgb", "x", 0.5))));
    assertEquals("parameter rf.numTrees: 10.5 is not one of 10, 11, ..., 200",
        message(() -> space.check(Map.of("model", "rf", "rf.numTrees", 10.5, "x", 0.5))));
  }

  @Test
  void valuesStayInsideBoundsOnTheirScale() {
    IntParameter n = Parameter.logInteger("n", 1, 1000);
    FloatParameter lr = Parameter.logUniform("lr", 1e-4, 1);
    Random rng = new Random(3);
    int small = 0;
    for (int i = 0; i < 1000; i++) {
      int v = (Integer) n.sampleUniform(rng);
      double x = (Double) lr.sampleUniform(rng);
      assertTrue(v >= 1 && v <= 1000);
      assertTrue(x >= 1e-4 && x <= 1);
      if (x < 1e-2) small++;
    }
    // Uniform on the log scale: half the draws below 10^-2.
    assertTrue(small > 400 && small < 600, "log-uniform draws below 0.01: " + small);
    assertFalse(n.gridValues(5).contains(0));
    assertEquals(List.of(1, 6, 32, 178, 1000), n.gridValues(5));
  }
}
