package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.OmeletRegistry;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Named profiles: built in or saved in the registry, loaded by name, explicit params on top. */
class ProfilesTest {

  @Test
  void builtInProfileFillsWhatIsNotSetExplicitly() {
    Dataset<Row> df = TestSupport.csvNa("penguins.csv");
    OmeletAutoML fast = new OmeletAutoML().setLabelCol("species").setProfile("fast").withProfile(df);
    assertEquals(10, fast.getMaxModels(), "a cap");
    assertEquals(60.0, fast.getMaxRuntimeSecs(), "the main budget is time");
    assertEquals(3, fast.getNfolds());
    OmeletAutoML balanced = new OmeletAutoML().setLabelCol("species").setProfile("balanced").withProfile(df);
    assertEquals(120.0, balanced.getMaxRuntimeSecs());
    assertEquals(0.1, balanced.getExploitationRatio());
    assertTrue(balanced.getRefitOnAllRows());
    assertEquals(List.of("DeepLearning"), List.of(fast.getExcludeAlgos()));
    assertEquals("species", fast.getLabelCol());

    OmeletAutoML mine = new OmeletAutoML().setMaxModels(2).setLabelCol("species").setProfile("thorough")
        .withProfile(df);
    assertEquals(2, mine.getMaxModels(), "explicit params win over the profile");
    assertEquals(5, mine.getNfolds());
  }

  @Test
  void aProfileIsAParamMapThatCopyApplies() {
    OmeletAutoML automl = new OmeletAutoML().setLabelCol("species").setMaxModels(2);
    OmeletAutoML fast = automl.copy(AutoMLProfiles.load(null, "fast", automl));
    assertEquals(10, fast.getMaxModels(), "an extra ParamMap wins, as in Spark");
    assertEquals(3, fast.getNfolds());
    assertEquals("species", fast.getLabelCol());
    assertEquals(2, automl.getMaxModels(), "the original is unchanged");
    assertEquals(List.of("fast", "balanced", "thorough"), AutoMLProfiles.builtInNames());
  }

  @Test
  void teamProfileSavedInTheRegistryAndLoadedByName() throws Exception {
    String root = Files.createTempDirectory("profiles").resolve("registry").toString();
    OmeletRegistry registry = OmeletRegistry.open(TestSupport.spark(), root);
    AutoMLProfiles.save(registry, "risk-team", AutoMLRunSettings.of(new OmeletAutoML().setMaxModels(7).setNfolds(4)
        .setIncludeAlgos("GBM", "XGBoost").setBalanceClasses(true).setSortMetric("AUCPR")
        .setLabelCol("not saved")), "imbalanced credit data");
    assertEquals("imbalanced credit data", registry.getPreset(AutoMLProfiles.KIND, "risk-team").description());
    assertTrue(!registry.getPreset(AutoMLProfiles.KIND, "risk-team").settings().containsKey("labelCol"));

    Dataset<Row> df = TestSupport.csvNa("penguins.csv");
    AutoMLRunSettings s = AutoMLRunSettings.of(new OmeletAutoML().setLabelCol("species").setNfolds(2)
        .setProfile("risk-team").setRegistryRoot(root).withProfile(df));
    assertEquals(7, s.maxModels());
    assertEquals(2, s.nfolds());
    assertEquals(List.of("GBM", "XGBoost"), s.includeAlgos());
    assertTrue(s.balanceClasses());
    assertEquals("AUCPR", s.sortMetric());
    assertEquals("species", s.labelCol());

    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> new OmeletAutoML()
        .setLabelCol("species").setProfile("nope").setRegistryRoot(root).withProfile(df));
    assertTrue(unknown.getMessage().contains("fast") && unknown.getMessage().contains("risk-team"),
        unknown.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> AutoMLProfiles.save(registry, "fast", AutoMLRunSettings.of(new OmeletAutoML()), null));
  }

  @Test
  void settingsRoundTripThroughTheirMapForm() {
    AutoMLRunSettings s = AutoMLRunSettings.of(new OmeletAutoML().setLabelCol("y").setMaxModels(9).setNfolds(0)
        .setSeed(3).setExcludeAlgos("GLM").setProblemType("binomial").setHoldoutFraction(0.3).setSample(0.5));
    Map<String, String> m = s.toMap();
    assertEquals(m, AutoMLRunSettings.fromMap(m).toMap());
    assertEquals(s, AutoMLRunSettings.fromMap(m));
    assertThrows(IllegalArgumentException.class, () -> AutoMLRunSettings.fromMap(Map.of("maxModelz", "3")));
  }
}
