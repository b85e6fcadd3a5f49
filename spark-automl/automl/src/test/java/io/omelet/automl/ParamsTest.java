package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Params to settings, profiles under explicit params. No training. */
class ParamsTest {

  @Test
  void paramsBecomeSettings() {
    AutoMLSettings s = new OmeletAutoML().setLabelCol("y").setMaxModels(7).setNfolds(3)
        .setSeed(9).setExcludeAlgos("deeplearning", "xrt").setSortMetric("auc")
        .setBalanceClasses(true).setWeightCol("w").setSample(0.5).setHoldoutFraction(0.25)
        .setProblemType("binary").toSettings();
    assertEquals("y", s.labelCol());
    assertEquals(7, s.maxModels());
    assertEquals(3, s.nfolds());
    assertEquals(9, s.seed());
    assertArrayEquals(new String[] {"DeepLearning", "DRF"}, s.excludeAlgos());
    assertNull(s.includeAlgos());
    assertEquals("AUC", s.sortMetric());
    assertEquals(ProblemType.BINOMIAL, s.problemType());
    assertEquals("w", s.weightCol());
    assertEquals(0.5, s.sample());
    assertEquals(0.25, s.holdoutFraction());
    assertNull(s.featuresCols());
  }

  @Test
  void explicitParamsOverrideAProfile() {
    AutoMLSettings fast = new AutoMLSettings().maxModels(5).nfolds(3).maxRuntimeSecs(60)
        .excludeAlgos("DeepLearning");
    OmeletAutoML est = new OmeletAutoML().setLabelCol("Class").setMaxModels(12).applyProfile(fast);
    AutoMLSettings s = est.toSettings();
    assertEquals(12, s.maxModels(), "explicit wins");
    assertEquals(3, s.nfolds(), "profile fills the rest");
    assertEquals(60.0, s.maxRuntimeSecs());
    assertArrayEquals(new String[] {"DeepLearning"}, s.excludeAlgos());
    assertEquals("Class", s.labelCol());
  }
}
