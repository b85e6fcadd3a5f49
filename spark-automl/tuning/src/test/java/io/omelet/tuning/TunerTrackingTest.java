package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.Metric;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunInfo;
import io.omelet.registry.RunStatus;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.junit.jupiter.api.Test;

/** A tracked search: parent and child runs in a temporary registry, plots, the best model registered, warm start, presets. */
class TunerTrackingTest {

  @Test
  void aTrackedSearchWritesParentChildrenPlotsAndTheRegisteredModel() throws Exception {
    String root = Files.createTempDirectory("tuner-tracking").resolve("registry").toString();
    DecisionTreeClassifier dt = new DecisionTreeClassifier().setSeed(1);
    TunerSpace space = TunerSpace.builder().integer(dt.maxDepth(), 0, 6).logInteger(dt.minInstancesPerNode(), 1, 32).build();
    OmeletTuner tuner = new OmeletTuner().setEstimator(dt).setEvaluator(new BinaryClassificationEvaluator())
        .setSearchSpace(space).setMaxTrials(4).setStartupTrials(2).setNumFolds(2).setSeed(4).setPruningStartupTrials(2)
        .setExperimentName("credit-tuning").setRunName("tree-search").setRegisterModelName("credit-tree").setRegistryRoot(root);
    TunerModel model = tuner.fit(TuningData.creditFeatures());
    OmeletRegistry registry = OmeletRegistry.open(TuningData.spark(), root);

    String parentId = model.trackedRunId().orElseThrow();
    Run parent = registry.getRun(parentId);
    assertEquals(RunStatus.FINISHED, parent.info().status());
    assertEquals("tree-search", parent.info().runName());
    assertEquals("tpe", parent.data().params().get("sampler"));
    assertEquals("4", parent.data().params().get("max_trials"));
    assertEquals("2", parent.data().params().get("num_folds"));
    assertEquals(SpaceJson.toJson(space.space()), parent.data().params().get("space"));
    assertEquals(model.bestValue(), parent.data().metric("best_areaUnderROC"), 1e-12);
    assertEquals(String.valueOf(model.bestParams().get("maxDepth")), parent.data().params().get("best.maxDepth"));
    assertEquals("tuning", parent.data().tags().get("omelet.kind"));

    List<RunInfo> children = registry.listChildRuns(parentId);
    assertEquals(4, children.size());
    Set<String> states = new HashSet<>();
    for (RunInfo c : children) {
      Run child = registry.getRun(c.runId());
      String state = child.data().tags().get("state");
      states.add(state);
      int number = Integer.parseInt(child.data().tags().get("omelet.tuning.trial"));
      Trial t = model.trialList().stream().filter(x -> x.number() == number).findFirst().orElseThrow();
      assertEquals(t.state().name(), state);
      assertEquals(t.state() == TrialState.FAILED ? RunStatus.FAILED : RunStatus.FINISHED, c.status());
      assertEquals(String.valueOf(t.param("maxDepth")), child.data().params().get("maxDepth"));
      List<Metric> folds = registry.getMetricHistory(c.runId(), "areaUnderROC_fold");
      assertEquals(t.intermediateValues().size(), folds.size());
      for (Metric m : folds) assertEquals(t.intermediateValues().get((int) m.step()), m.value(), 1e-12);
      if (t.state() == TrialState.COMPLETE) assertEquals(t.value(), child.data().metric("areaUnderROC"), 1e-12);
      assertTrue(child.data().metric("duration_ms") >= 0);
    }
    assertTrue(states.contains("COMPLETE"), states.toString());

    Set<String> plots = registry.listArtifacts(parentId, "plots").stream().map(ArtifactInfo::path)
        .map(p -> p.substring(p.lastIndexOf('/') + 1)).collect(Collectors.toSet());
    assertTrue(plots.containsAll(Set.of("history.svg", "importance.svg", "parallel_coordinates.svg", "slice_maxDepth.svg",
        "slice_minInstancesPerNode.svg")), plots.toString());
    for (String p : plots) {
      byte[] svg = registry.readArtifact(parentId, "plots/" + p);
      DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg)); // well-formed XML
      assertTrue(new String(svg, java.nio.charset.StandardCharsets.UTF_8).startsWith("<svg xmlns="));
    }
    assertTrue(new String(registry.readArtifact(parentId, "tuning/trials.json"), java.nio.charset.StandardCharsets.UTF_8)
        .contains("\"state\""));

    ModelVersion v = registry.getModelVersion("credit-tree", 1);
    assertEquals(parentId, v.runId());
    assertEquals(1, model.registeredVersion().orElseThrow());
    // The artifact is the best model in Spark's own format.
    DecisionTreeClassificationModel saved = DefaultParamsReader.loadParamsInstance(registry.artifactUri(parentId) + "/model",
        TuningData.spark().sparkContext());
    assertEquals(((DecisionTreeClassificationModel) model.bestModel()).toDebugString(), saved.toDebugString());

    // A second search of the same space resumes from the first one's COMPLETE trials.
    long complete = model.trialList().stream().filter(t -> t.state() == TrialState.COMPLETE).count();
    TunerModel resumed = tuner.copy(new org.apache.spark.ml.param.ParamMap()).setRegisterModelName("").setMaxTrials(1)
        .setResumeFrom("credit-tuning").fit(TuningData.creditFeatures());
    assertEquals(1, resumed.trialList().size());
    assertEquals(complete, resumed.trialList().get(0).number(), "trial numbers follow the warm-start trials");
    Run second = registry.getRun(resumed.trackedRunId().orElseThrow());
    assertEquals(String.valueOf(complete), second.data().params().get("warm_start_trials"));
  }

  @Test
  void aSpaceIsSavedAsARegistryPresetAndLoadedBack() throws Exception {
    String root = Files.createTempDirectory("tuner-preset").resolve("registry").toString();
    OmeletRegistry registry = OmeletRegistry.open(TuningData.spark(), root);
    DecisionTreeClassifier dt = new DecisionTreeClassifier();
    TunerSpace space = TunerSpace.builder().integer(dt.maxDepth(), 2, 8).logUniform(dt.minInfoGain(), 1e-4, 0.1)
        .categorical(dt.impurity(), "gini", "entropy").build();
    space.savePreset(registry, "trees", "tree depth and impurity");
    assertEquals(space.toJson(), TunerSpace.loadPreset(registry, "trees", dt).toJson());
    // In another session the stage has another uid: bound by its type.
    DecisionTreeClassifier other = new DecisionTreeClassifier();
    TunerSpace rebound = TunerSpace.loadPreset(registry, "trees", other);
    assertEquals(space.space(), rebound.space());
    assertEquals(other.maxDepth(), rebound.params().get("maxDepth"));
  }
}
