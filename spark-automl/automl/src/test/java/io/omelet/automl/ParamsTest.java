package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.junit.jupiter.api.Test;

/** Params to run settings, profiles under explicit params, one declaration for estimator and model. No training. */
class ParamsTest {

  @Test
  void paramsBecomeSettings() {
    AutoMLRunSettings s = AutoMLRunSettings.of(new OmeletAutoML().setLabelCol("y").setMaxModels(7).setNfolds(3)
        .setSeed(9).setExcludeAlgos("deeplearning", "xrt").setSortMetric("auc")
        .setBalanceClasses(true).setWeightCol("w").setSample(0.5).setHoldoutFraction(0.25)
        .setProblemType("binary"));
    assertEquals("y", s.labelCol());
    assertEquals(7, s.maxModels());
    assertEquals(3, s.nfolds());
    assertEquals(9, s.seed());
    assertEquals(List.of("DeepLearning", "DRF"), s.excludeAlgos());
    assertTrue(s.includeAlgos().isEmpty());
    assertEquals("AUC", s.sortMetric());
    assertEquals(ProblemType.BINOMIAL, s.problemType());
    assertEquals("w", s.weightCol());
    assertEquals(0.5, s.sample());
    assertEquals(0.25, s.holdoutFraction());
    assertTrue(s.featuresCols().isEmpty());
  }

  @Test
  void explicitParamsOverrideAProfile() {
    OmeletAutoML est = new OmeletAutoML().setLabelCol("Class").setMaxModels(12);
    ParamMap fast = new ParamMap().put(est.maxModels(), 5).put(est.nfolds(), 3).put(est.maxRuntimeSecs(), 60.0)
        .put(est.excludeAlgos(), new String[] {"DeepLearning"});
    AutoMLRunSettings s = AutoMLRunSettings.of(est.applyProfile(fast));
    assertEquals(12, s.maxModels(), "explicit wins");
    assertEquals(3, s.nfolds(), "profile fills the rest");
    assertEquals(60.0, s.maxRuntimeSecs());
    assertEquals(List.of("DeepLearning"), s.excludeAlgos());
    assertEquals("Class", s.labelCol());
  }

  @Test
  void everyParamHasATypedGetterAndTheModelSharesThem() throws Exception {
    OmeletAutoML est = new OmeletAutoML();
    assertEquals(32, est.params().length);
    for (Param<?> p : est.params()) {
      String name = Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
      assertTrue(OmeletAutoML.class.getMethod("get" + name).getReturnType() != Object.class, p.name());
      assertTrue(Arrays.stream(OmeletAutoML.class.getMethods()).anyMatch(m -> m.getName().equals("set" + name)
          && m.getReturnType() == OmeletAutoML.class), "a setter for " + p.name());
    }
    AutoMLRunInfo info = new AutoMLRunInfo(AutoMLRunSettings.of(est), ProblemType.REGRESSION, "y", List.of("x"),
        null, 1, 1, 1, 0, 1, List.of(), null, null);
    ModelResult glm = new ModelResult("GLM_1", "glm", 1, 1, Map.of(), Map.of(), Map.of(), Map.of(), null, List.of(),
        0, 0, null, null);
    AutoMLModel model = new AutoMLModel("m", new AutoMLResult("p", info, "rmse", List.of(glm), null, "", List.of(), 0));
    assertEquals(List.of(est.params()).stream().map(Param::name).toList(),
        List.of(model.params()).stream().map(Param::name).toList());
  }

  @Test
  void valuesAreCheckedWhenSetAlsoThroughAParamMap() {
    OmeletAutoML est = new OmeletAutoML();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> est.setMaxModels(-1));
    assertEquals("maxModels must be >= 0, got -1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> est.copy(new ParamMap().put(est.nfolds(), 1)));
    e = assertThrows(IllegalArgumentException.class, () -> est.setSortMetric("accuracy"));
    assertTrue(e.getMessage().contains("unknown sortMetric value 'accuracy'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> est.setProblemType("clustering"));
    assertEquals(null, AutoMLRunSettings.of(est.setProblemType(null)).problemType(), "null detects it, as auto");
    assertArrayEquals(new String[] {"DRF", "GBM"}, est.setIncludeAlgos("xrt", "gbm").getIncludeAlgos());
  }
}
