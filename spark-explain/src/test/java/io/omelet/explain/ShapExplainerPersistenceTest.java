package io.omelet.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.omelet.scoring.MojoModel;

/** A ShapExplainer saved alone or inside a Pipeline / PipelineModel loads with its model and explains the same. */
class ShapExplainerPersistenceTest {
  @TempDir
  Path dir;

  /** Rows with a stable id, so explanations can be compared row by row whatever the order. */
  private static Dataset<Row> rows(Dataset<Row> data, int n) {
    return data.limit(n).withColumn("rid", functions.monotonically_increasing_id()).localCheckpoint();
  }

  private static List<Row> shap(Transformer t, Dataset<Row> rows) {
    return t.transform(rows).orderBy("rid").select("phi", "phi_base").collectAsList();
  }

  private static void assertSameShap(List<Row> expected, List<Row> actual) {
    assertEquals(expected.size(), actual.size());
    double spread = 0;
    for (int i = 0; i < expected.size(); i++) {
      double[] e = ((Vector) expected.get(i).getAs(0)).toArray();
      assertArrayEquals(e, ((Vector) actual.get(i).getAs(0)).toArray(), 0.0, "row " + i);
      assertEquals(expected.get(i).getDouble(1), actual.get(i).getDouble(1), 0.0);
      for (double v : e) spread += Math.abs(v);
    }
    assertTrue(spread > 0, "all SHAP values are zero");
  }

  @Test
  void aPipelineHoldingTheExplainerSavesLoadsAndExplainsTheSame() throws IOException {
    Dataset<Row> lc = TestSpark.lendingClub();
    PipelineModel forest = TestSpark.fitPipeline(lc, TestSpark.LC_STRINGS, TestSpark.LC_NUMBERS,
        new RandomForestClassifier().setNumTrees(8).setMaxDepth(5).setSeed(3));
    ShapExplainer explainer = new ShapExplainer().setModel(forest).setMethod("tree").setOutputCol("phi")
        .setBaseValueCol("phi_base");
    String pipelinePath = dir.resolve("pipeline").toString();
    new Pipeline().setStages(new PipelineStage[] {explainer}).write().save(pipelinePath);
    PipelineModel fitted = Pipeline.load(pipelinePath).fit(lc);
    String modelPath = dir.resolve("pipeline_model").toString();
    fitted.write().save(modelPath);
    PipelineModel loaded = PipelineModel.load(modelPath);

    ShapExplainer back = (ShapExplainer) loaded.stages()[0];
    assertEquals(explainer.uid(), back.uid());
    assertEquals("tree", back.getMethod());
    assertEquals("phi", back.getOutputCol());
    assertEquals(forest.uid(), back.getModel().uid());
    assertEquals(explainer.featureNames(), back.featureNames());
    assertEquals(explainer.describeOutput(), back.describeOutput());
    Dataset<Row> rows = rows(lc, 200);
    assertSameShap(shap(explainer, rows), shap(loaded, rows));
  }

  @Test
  void kernelShapSettingsSurviveSaving() throws IOException {
    Dataset<Row> lc = TestSpark.lendingClub();
    PipelineModel logistic = TestSpark.fitPipeline(lc, TestSpark.LC_STRINGS, TestSpark.LC_NUMBERS,
        new LogisticRegression().setMaxIter(20));
    ShapExplainer explainer = new ShapExplainer().setModel(logistic).setMethod("kernel").setBackgroundSize(6)
        .setNumSamples(96).setSeed(7).setOutputCol("phi").setBaseValueCol("phi_base").setFitCol("phi_r2");
    String path = dir.resolve("kernel").toString();
    explainer.write().save(path);
    ShapExplainer back = ShapExplainer.load(path);
    assertEquals(6, back.getBackgroundSize());
    assertEquals(96, back.getNumSamples());
    assertEquals(7L, back.getSeed());
    assertEquals("phi_r2", back.getFitCol());
    assertEquals("kernel", back.resolvedMethod());
    Dataset<Row> rows = rows(lc, 12);
    assertSameShap(shap(explainer, rows), shap(back, rows));
  }

  @Test
  void aMojoSetDirectlyIsSavedWithTheExplainer() throws IOException {
    MojoModel gbm = H2OModels.get("gbm");
    ShapExplainer explainer = new ShapExplainer().setMojo(gbm).setOutputCol("phi").setBaseValueCol("phi_base");
    PipelineModel model = new PipelineModel("shap_pipeline", new Transformer[] {explainer});
    String path = dir.resolve("mojo_pipeline").toString();
    model.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    ShapExplainer back = (ShapExplainer) loaded.stages()[0];
    assertNotNull(back.getMojo());
    assertEquals(gbm.key(), back.getMojo().key());
    assertEquals("tree", back.resolvedMethod());
    Dataset<Row> rows = rows(H2OModels.lendingClubH2OColumns(), 100);
    assertSameShap(shap(explainer, rows), shap(loaded, rows));
  }
}
