package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.junit.jupiter.api.Test;

/** The built-in spaces, checked against their models without fitting. */
class ModelSpacesTest {
  @Test
  void everyBuiltInSpaceFitsItsModels() {
    for (ModelSpaces.Task task : ModelSpaces.Task.values()) {
      Map<String, PipelineStage> models = ModelSpaces.models(task, "label", "features", 40, 1);
      assertEquals(task == ModelSpaces.Task.MULTICLASS, !models.containsKey("gbt"), "gbt is binary or regression only");
      for (String family : ModelSpaces.FAMILIES) {
        if (!family.equals("any") && !models.containsKey(family)) continue;
        TunerSpace space = ModelSpaces.space(family, models);
        PipelineStage slot = models.get(family.equals("any") ? models.keySet().iterator().next() : family);
        space.check(new Pipeline().setStages(new PipelineStage[] {slot}));
        assertTrue(space.space().allParameters().size() >= 2, family + ": " + space);
      }
    }
  }

  @Test
  void theModelsReadTheGivenColumnsAndAnyIsAChoiceOfEachFamilysRanges() {
    Map<String, PipelineStage> models = ModelSpaces.models(ModelSpaces.Task.BINARY, "y", "x", 64, 9);
    GBTClassifier gbt = (GBTClassifier) models.get("gbt");
    assertEquals(List.of("y", "x", 64, 9L), List.of(gbt.getLabelCol(), gbt.getFeaturesCol(), gbt.getMaxBins(), gbt.getSeed()));
    RandomForestRegressor rf = (RandomForestRegressor) ModelSpaces.models(ModelSpaces.Task.REGRESSION, "y", "x", 32, 1).get("rf");
    assertEquals("y", rf.getLabelCol());

    TunerSpace any = ModelSpaces.space("any", models);
    assertEquals(Map.of("gbt", gbt, "rf", models.get("rf"), "linear", models.get("linear")), any.choices().get("model"));
    assertEquals(List.of("gbt.maxDepth", "gbt.maxIter", "gbt.stepSize", "gbt.subsamplingRate", "gbt.minInstancesPerNode"),
        any.params().keySet().stream().filter(n -> n.startsWith("gbt.")).toList());
    TunerSpace linear = ModelSpaces.space("linear", models);
    assertEquals(List.of("regParam", "elasticNetParam"), List.copyOf(linear.params().keySet()));
    assertEquals(models.get("linear").uid(), linear.params().get("regParam").parent());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpaces.space("xgb", models));
    assertTrue(e.getMessage().contains("family must be one of"), e.getMessage());
    Map<String, PipelineStage> classes = ModelSpaces.models(ModelSpaces.Task.MULTICLASS, "y", "x", 32, 1);
    e = assertThrows(IllegalArgumentException.class, () -> ModelSpaces.space("gbt", classes));
    assertTrue(e.getMessage().contains("no gbt model among [rf, linear, dt]"), e.getMessage());
  }
}
