package io.omelet.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.OmeletRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** A profile logged as a run's artifacts comes back whole, and later data is checked for drift against it. */
class ProfileRegistryTest {
  @Test
  void profileLoggedToARunAndReadBackForDrift() throws Exception {
    Dataset<Row> penguins = TestSpark.spark().read().option("header", "true").option("inferSchema", "true")
        .option("nullValue", "NA").csv(TestSpark.dataDir().resolve("penguins.csv").toString());
    Profile profile = new DataProfiler().profile(penguins);
    OmeletRegistry registry = OmeletRegistry.open(TestSpark.spark(),
        Files.createTempDirectory("profile-registry").resolve("root").toString());
    String runId = registry.createRun(OmeletRegistry.DEFAULT_EXPERIMENT_ID, "profile penguins").runId();
    profile.logTo(registry, runId, "profile");

    List<String> files = registry.listArtifacts(runId, "profile").stream().map(ArtifactInfo::path).toList();
    assertEquals(List.of("profile/profile.html", "profile/profile.json"), files);
    String html = new String(registry.readArtifact(runId, "profile/profile.html"), StandardCharsets.UTF_8);
    assertTrue(html.contains("<svg"), "report with inline charts");
    Profile back = Profile.fromRun(registry, runId, "profile");
    assertEquals(profile.toJson(), back.toJson());

    DriftReport same = new ProfileDrift().compare(back, penguins);
    assertTrue(same.alerts.isEmpty(), same.alerts.toString());
  }
}
