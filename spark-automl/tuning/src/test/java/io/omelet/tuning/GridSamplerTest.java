package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GridSamplerTest {
  private static final SearchSpace SPACE = SearchSpace.of(
      Parameter.logUniform("lr", 1e-3, 1),
      Parameter.categorical("model", "gbt", "rf", "lr")
          .when("gbt", Parameter.integer("gbt.depth", 2, 6, 2), Parameter.categorical("gbt.subsample", true, false))
          .when("rf", Parameter.uniform("rf.fraction", 0.5, 1)));

  @Test
  void walksTheWholeGridWithConditionalBranchesThenStops() throws Exception {
    // lr: 4 points; model: gbt 3 depths x 2 + rf 4 fractions + lr 1 = 11 branches: 44 points.
    Study study = new Study(SPACE, Direction.MINIMIZE, new GridSampler(4, 7), Pruner.NONE);
    List<Trial> ran = study.optimize(t -> 0.0, 1000, 0, 1);
    assertEquals(44, ran.size());
    Set<Map<String, Object>> distinct = new HashSet<>();
    for (Trial t : ran) distinct.add(t.params());
    assertEquals(44, distinct.size());
    assertTrue(distinct.contains(Map.of("lr", 1e-3, "model", "gbt", "gbt.depth", 4, "gbt.subsample", false)));
    assertTrue(distinct.contains(Map.of("lr", 1.0, "model", "rf", "rf.fraction", 0.5)));
    assertTrue(distinct.contains(Map.of("lr", 1e-3, "model", "lr")));
    assertTrue(study.isExhausted());
    assertThrows(IllegalStateException.class, study::ask);
  }

  @Test
  void orderIsShuffledBySeed() {
    List<Map<String, Object>> a = new GridSampler(4, 1).points(SPACE);
    assertEquals(a, new GridSampler(4, 1).points(SPACE));
    assertNotEquals(a, new GridSampler(4, 2).points(SPACE));
    assertEquals(new HashSet<>(a), new HashSet<>(new GridSampler(4, 2).points(SPACE)));
  }

  @Test
  void pointsTakenByWarmStartTrialsAreSkipped() {
    Study study = new Study(SPACE, Direction.MINIMIZE, new GridSampler(4, 3), Pruner.NONE);
    Map<String, Object> first = new GridSampler(4, 3).points(SPACE).get(0);
    study.addTrial(Trial.finished(first, TrialState.COMPLETE, 1.0, null));
    assertNotEquals(first, study.ask().params());
  }

  @Test
  void anOversizedGridIsRefused() {
    SearchSpace wide = SearchSpace.of(Parameter.integer("a", 0, 10_000), Parameter.integer("b", 0, 10_000));
    String m = assertThrows(IllegalArgumentException.class, () -> new GridSampler(5, 1).points(wide)).getMessage();
    assertTrue(m.startsWith("the grid has more than 1000000 points (at parameter b)"), m);
    Study study = new Study(wide, Direction.MINIMIZE, new GridSampler(5, 1), Pruner.NONE);
    assertThrows(IllegalArgumentException.class, () -> study.optimize(t -> 0, 10, 0, 2));
    assertTrue(study.trials().isEmpty());
    assertEquals("a grid needs at least 2 points per float, got 1",
        assertThrows(IllegalArgumentException.class, () -> new GridSampler(1, 1)).getMessage());
  }
}
