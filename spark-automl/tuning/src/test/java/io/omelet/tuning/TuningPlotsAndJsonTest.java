package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** The space and trials as JSON, and the SVG plots (well-formed, text escaped), without Spark. */
class TuningPlotsAndJsonTest {
  private static final SearchSpace SPACE = SearchSpace.of(
      Parameter.categorical("model", "gbt", "rf")
          .when("gbt", Parameter.logUniform("gbt.stepSize", 0.01, 0.3), Parameter.integer("gbt.maxDepth", 2, 8, 2))
          .when("rf", Parameter.logInteger("rf.numTrees", 10, 200)),
      Parameter.uniform("a<b & \"c\"", 0, 1),
      Parameter.categorical("flag", true, false, 3));

  private static List<Trial> trials() throws InterruptedException {
    Study study = new Study(SPACE, Direction.MAXIMIZE, new RandomSampler(3), new MedianPruner(2, 0));
    study.optimize(run -> {
      double v = run.doubleParam("a<b & \"c\"") + ("gbt".equals(run.param("model")) ? 0.5 : 0);
      run.report(0, v);
      if (run.shouldPrune()) throw new TrialPrunedException("pruned");
      if (run.number() == 4) throw new IllegalStateException("boom <tag>");
      return v;
    }, 12, 0, 1);
    return study.trials();
  }

  @Test
  void aConditionalSpaceAndItsTrialsRoundTripThroughJson() throws Exception {
    assertEquals(SPACE, SpaceJson.fromJson(SpaceJson.toJson(SPACE)));
    List<Trial> trials = trials();
    List<Trial> back = SpaceJson.trialsFromNode(SpaceJson.trialsToNode(trials), SPACE);
    assertEquals(trials.size(), back.size());
    for (int i = 0; i < trials.size(); i++) {
      assertEquals(trials.get(i).params(), back.get(i).params());
      assertEquals(trials.get(i).state(), back.get(i).state());
      assertEquals(trials.get(i).intermediateValues(), back.get(i).intermediateValues());
      assertEquals(trials.get(i).error(), back.get(i).error());
    }
  }

  @Test
  void everyPlotIsWellFormedSvgWithItsTextEscaped() throws Exception {
    List<Trial> trials = trials();
    Map<String, Double> importance = new FanovaImportance(1).evaluate(SPACE, trials);
    Map<String, String> plots = TuningPlots.all(SPACE, trials, Direction.MAXIMIZE, "auc <1>", importance);
    assertTrue(plots.keySet().containsAll(List.of("history.svg", "importance.svg", "parallel_coordinates.svg",
        "slice_model.svg", "slice_gbt.stepSize.svg", "slice_rf.numTrees.svg", "slice_a_b____c_.svg", "slice_flag.svg")),
        plots.keySet().toString());
    for (Map.Entry<String, String> e : plots.entrySet()) {
      DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new ByteArrayInputStream(e.getValue().getBytes(StandardCharsets.UTF_8)));
      assertFalse(e.getValue().contains("a<b"), e.getKey());
      assertFalse(e.getValue().contains("<script"), e.getKey());
    }
    assertTrue(plots.get("importance.svg").contains("a&lt;b &amp; &quot;c&quot;"));
    // Empty inputs still give a valid document.
    String empty = TuningPlots.history(List.of(), Direction.MINIMIZE, "rmse");
    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(empty.getBytes(StandardCharsets.UTF_8)));
  }
}
