package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.OmeletRegistry;
import java.nio.file.Files;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Named profiles: built in or saved in the registry, loaded by name, explicit params on top. */
class ProfilesTest {

  @Test
  void builtInProfileFillsWhatIsNotSetExplicitly() {
    Dataset<Row> df = TestSupport.csvNa("penguins.csv");
    AutoMLSettings fast = new OmeletAutoML().setLabelCol("species").setProfile("fast").effectiveSettings(df);
    assertEquals(10, fast.maxModels(), "a cap");
    assertEquals(60.0, fast.maxRuntimeSecs(), "the main budget is time");
    assertEquals(3, fast.nfolds());
    AutoMLSettings balanced = new OmeletAutoML().setLabelCol("species").setProfile("balanced").effectiveSettings(df);
    assertEquals(120.0, balanced.maxRuntimeSecs());
    assertEquals(0.1, balanced.exploitationRatio());
    assertTrue(balanced.refitOnAllRows());
    assertArrayEquals(new String[] {"DeepLearning"}, fast.excludeAlgos());
    assertEquals("species", fast.labelCol());

    AutoMLSettings mine = new OmeletAutoML().setMaxModels(2).setLabelCol("species").setProfile("thorough")
        .effectiveSettings(df);
    assertEquals(2, mine.maxModels(), "explicit params win over the profile");
    assertEquals(5, mine.nfolds());
  }

  @Test
  void teamProfileSavedInTheRegistryAndLoadedByName() throws Exception {
    String root = Files.createTempDirectory("profiles").resolve("registry").toString();
    OmeletRegistry registry = OmeletRegistry.open(TestSupport.spark(), root);
    AutoMLProfiles.save(registry, "risk-team",
        new AutoMLSettings().maxModels(7).nfolds(4).includeAlgos("GBM", "XGBoost").balanceClasses(true)
            .sortMetric("AUCPR").labelCol("not saved"), "imbalanced credit data");
    assertEquals("imbalanced credit data", registry.getPreset(AutoMLProfiles.KIND, "risk-team").description());
    assertTrue(!registry.getPreset(AutoMLProfiles.KIND, "risk-team").settings().containsKey("labelCol"));

    Dataset<Row> df = TestSupport.csvNa("penguins.csv");
    AutoMLSettings s = new OmeletAutoML().setLabelCol("species").setNfolds(2).setProfile("risk-team")
        .setRegistryRoot(root).effectiveSettings(df);
    assertEquals(7, s.maxModels());
    assertEquals(2, s.nfolds());
    assertArrayEquals(new String[] {"GBM", "XGBoost"}, s.includeAlgos());
    assertTrue(s.balanceClasses());
    assertEquals("AUCPR", s.sortMetric());
    assertEquals("species", s.labelCol());

    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> new OmeletAutoML()
        .setLabelCol("species").setProfile("nope").setRegistryRoot(root).effectiveSettings(df));
    assertTrue(unknown.getMessage().contains("fast") && unknown.getMessage().contains("risk-team"),
        unknown.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> AutoMLProfiles.save(registry, "fast", new AutoMLSettings(), null));
  }

  @Test
  void settingsRoundTripThroughTheirMapForm() {
    AutoMLSettings s = new AutoMLSettings().labelCol("y").maxModels(9).nfolds(0).seed(3)
        .excludeAlgos("GLM").problemType(ProblemType.BINOMIAL).holdoutFraction(0.3).sample(0.5);
    Map<String, String> m = s.toMap();
    assertEquals(m, AutoMLSettings.fromMap(m).toMap());
    assertThrows(IllegalArgumentException.class, () -> AutoMLSettings.fromMap(Map.of("maxModelz", "3")));
  }
}
