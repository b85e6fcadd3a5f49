package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TpeSamplerTest {
  /** The best value found in {@code trials} sequential trials. */
  static double best(TestFunction f, Sampler sampler, int trials) {
    Study study = new Study(f.space(), Direction.MINIMIZE, sampler, Pruner.NONE);
    for (int i = 0; i < trials; i++) {
      TrialRun run = study.ask();
      run.complete(f.evaluate(run.params()));
    }
    return study.bestTrial().orElseThrow().value();
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  @Test
  void theSameSeedGivesTheSameSequence() {
    for (boolean univariate : new boolean[] {false, true}) {
      List<Map<String, Object>> a = sequence(new TpeSampler(11, 10, 24, true, univariate));
      List<Map<String, Object>> b = sequence(new TpeSampler(11, 10, 24, true, univariate));
      assertEquals(a, b);
      assertNotEquals(a, sequence(new TpeSampler(12, 10, 24, true, univariate)));
    }
  }

  private static List<Map<String, Object>> sequence(Sampler sampler) {
    TestFunction f = TestFunction.mixed();
    Study study = new Study(f.space(), Direction.MINIMIZE, sampler, Pruner.NONE);
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      TrialRun run = study.ask();
      out.add(run.params());
      run.complete(f.evaluate(run.params()));
    }
    return out;
  }

  @Test
  void tpeBeatsRandomOnBranin() {
    TestFunction branin = TestFunction.branin();
    double[] tpe = new double[5];
    double[] random = new double[5];
    for (int seed = 0; seed < 5; seed++) {
      tpe[seed] = best(branin, new TpeSampler(seed), 80) - branin.minimum();
      random[seed] = best(branin, new RandomSampler(seed), 80) - branin.minimum();
    }
    assertTrue(median(tpe) < median(random) / 3, "TPE " + Arrays.toString(tpe) + " vs random " + Arrays.toString(random));
    assertTrue(median(tpe) < 0.2, Arrays.toString(tpe));
  }

  @Test
  void univariateTpeBeatsRandomOnBraninToo() {
    TestFunction branin = TestFunction.branin();
    double[] tpe = new double[5];
    double[] random = new double[5];
    for (int seed = 0; seed < 5; seed++) {
      tpe[seed] = best(branin, new TpeSampler(seed, 10, 24, true, true), 80) - branin.minimum();
      random[seed] = best(branin, new RandomSampler(seed), 80) - branin.minimum();
    }
    assertTrue(median(tpe) < median(random), "TPE " + Arrays.toString(tpe) + " vs random " + Arrays.toString(random));
  }

  @Test
  void maximisingFindsTheTop() {
    // The negated Branin, maximised: the same regret as minimising it.
    TestFunction branin = TestFunction.branin();
    Study study = new Study(branin.space(), Direction.MAXIMIZE, new TpeSampler(4), Pruner.NONE);
    for (int i = 0; i < 80; i++) {
      TrialRun run = study.ask();
      run.complete(-branin.evaluate(run.params()));
    }
    assertTrue(-study.bestTrial().orElseThrow().value() - branin.minimum() < 0.3, study.bestTrial().toString());
  }

  @Test
  void simultaneousAsksGiveDistinctPoints() {
    // A small discrete space, where pending trials would otherwise be proposed again and again.
    SearchSpace space = SearchSpace.of(Parameter.integer("a", 0, 6), Parameter.categorical("b", "x", "y", "z"));
    Study study = new Study(space, Direction.MINIMIZE, new TpeSampler(5), Pruner.NONE);
    for (int i = 0; i < 20; i++) {
      TrialRun run = study.ask();
      int a = run.intParam("a");
      run.complete((a - 3) * (a - 3) + ("y".equals(run.param("b")) ? 0 : 1));
    }
    List<TrialRun> pending = new ArrayList<>();
    for (int i = 0; i < 8; i++) pending.add(study.ask());
    Set<Map<String, Object>> points = new HashSet<>();
    for (TrialRun r : pending) points.add(r.params());
    assertEquals(8, points.size(), points.toString());
    // The liar steers, it does not scatter: most pending points stay near the optimum a = 3.
    long near = pending.stream().filter(r -> Math.abs(r.intParam("a") - 3) <= 2).count();
    assertTrue(near >= 5, points.toString());
  }

  @Test
  void conditionalParametersAreLearnedWithinTheirBranch() {
    // gbt is the better model, and only with stepSize near 0.1; rf is flat at 1.
    SearchSpace space = SearchSpace.of(Parameter.categorical("model", "gbt", "rf")
        .when("gbt", Parameter.logUniform("gbt.stepSize", 1e-4, 1))
        .when("rf", Parameter.integer("rf.numTrees", 10, 200)));
    Study study = new Study(space, Direction.MINIMIZE, new TpeSampler(8), Pruner.NONE);
    int gbtLate = 0;
    for (int i = 0; i < 60; i++) {
      TrialRun run = study.ask();
      Map<String, Object> p = run.params();
      assertEquals("gbt".equals(p.get("model")), p.containsKey("gbt.stepSize"), p.toString());
      assertEquals("rf".equals(p.get("model")), p.containsKey("rf.numTrees"), p.toString());
      double v;
      if ("gbt".equals(p.get("model"))) {
        double d = Math.log10(run.doubleParam("gbt.stepSize")) + 1;
        v = d * d;
        if (i >= 40) gbtLate++;
      } else {
        v = 1 + run.intParam("rf.numTrees") * 1e-4;
      }
      run.complete(v);
    }
    assertTrue(gbtLate >= 15, "TPE settles on the better branch: " + gbtLate + " of the last 20");
    double best = (Double) study.bestTrial().orElseThrow().param("gbt.stepSize");
    assertTrue(best > 0.05 && best < 0.2, "stepSize " + best);
  }

  @Test
  void tpeFindsTheBestBranchOfTheMixedSpace() {
    TestFunction mixed = TestFunction.mixed();
    double[] regret = new double[5];
    for (int seed = 0; seed < 5; seed++) regret[seed] = best(mixed, new TpeSampler(seed), 100) - mixed.minimum();
    assertTrue(median(regret) < 0.1, Arrays.toString(regret));
  }

  @Test
  void observationWeightsRampDownAfterTwentyFive() {
    assertEquals(List.of(1.0, 1.0), Arrays.stream(TpeSampler.observationWeights(2)).boxed().toList());
    double[] w = TpeSampler.observationWeights(30);
    assertEquals(1.0 / 30, w[0], 1e-12);
    assertEquals(1.0, w[4], 1e-12);
    assertEquals(1.0, w[29], 1e-12);
    assertTrue(w[1] > w[0] && w[2] > w[1] && w[3] > w[2]);
  }
}
