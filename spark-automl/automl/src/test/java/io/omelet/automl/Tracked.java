package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunStatus;
import io.omelet.registry.SearchRunsRequest;
import io.omelet.registry.Tags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A job tracked in a test registry, and the checks that its runs and model are found by search. */
final class Tracked {
  private static OmeletRegistry registry;

  private Tracked() {}

  static synchronized OmeletRegistry registry() {
    if (registry == null) {
      try {
        registry = OmeletRegistry.open(TestSupport.spark(),
            Files.createTempDirectory("automl-tests").resolve("registry").toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return registry;
  }

  /** A tracker registering the leader as {@code name@champion} in experiment {@code name}. */
  static RegistryTracker tracker(String name, Dataset<Row> data) {
    return new RegistryTracker(registry(), name, null, TrainingData.references(registry(), data, "training"),
        name, "champion");
  }

  /** The job's parent and model runs are found by search, and name@champion is its leader. */
  static void assertVisible(RegistryTracker tracker, AutoMLResult result, String name) {
    RegistryTracker.TrackedRun t = tracker.tracked();
    String exp = registry().getExperimentByName(name).experimentId();
    List<Run> parents = registry().searchRuns(SearchRunsRequest.in(exp)
        .filter("tags.`omelet.kind` = 'automl' and attributes.status = 'FINISHED'")).runs();
    assertTrue(parents.stream().anyMatch(r -> r.runId().equals(t.parentRunId())), "parent run found by search");
    List<Run> children = registry().searchRuns(SearchRunsRequest.in(exp)
        .filter("attributes.parent_run_id = '" + t.parentRunId() + "' and tags.`omelet.kind` = 'automl-model'")
        .orderBy("metrics.rank")).runs();
    assertEquals(result.models().size(), children.size());
    assertEquals(result.leader().modelId(), children.get(0).info().runName());
    for (Run c : children) {
      assertEquals(RunStatus.FINISHED, c.info().status());
      assertFalse(c.data().inputs().isEmpty(), "training data reference");
      assertTrue(c.data().metrics().keySet().stream().anyMatch(k -> k.startsWith("holdout_")));
      assertEquals((double) result.info().trainRows(), c.data().metrics().get("training_rows").value());
    }
    Run parent = registry().getRun(t.parentRunId());
    assertEquals(result.servedModel().modelId(), parent.data().tags().get("omelet.served_model_id"));
    assertEquals((double) result.servedModel().trainingRows(), parent.data().metrics().get("served_training_rows").value());
    assertEquals((double) result.leader().trainingRows(), parent.data().metrics().get("leader_training_rows").value());
    assertEquals(result.estimate(), parent.data().tags().get("omelet.estimate"));
    if (result.refit() != null) {
      // the refit is a run of its own, and the registered version comes from it
      List<Run> refits = registry().searchRuns(SearchRunsRequest.in(exp)
          .filter("attributes.parent_run_id = '" + t.parentRunId() + "' and tags.`omelet.kind` = 'automl-refit'")).runs();
      assertEquals(1, refits.size());
      Run refit = refits.get(0);
      assertEquals(t.servedRunId(), refit.info().runId());
      assertEquals(result.leader().modelId(), refit.data().tags().get(Tags.REFIT_OF));
      assertEquals(t.leaderRunId(), refit.data().tags().get("omelet.refit_of_run_id"));
      assertEquals((double) result.refit().rows(), refit.data().metrics().get("training_rows").value());
      assertFalse(refit.data().inputs().isEmpty(), "training data reference");
    } else {
      assertEquals(t.leaderRunId(), t.servedRunId());
      assertTrue(parent.data().tags().containsKey("omelet.refit"), "why there is no refit");
    }
    ModelVersion champion = registry().getModelVersionByAlias(name, "champion");
    assertEquals(t.servedRunId(), champion.runId());
    assertEquals(champion.version(), registry().resolveModel(name + "@champion").version());
  }
}
