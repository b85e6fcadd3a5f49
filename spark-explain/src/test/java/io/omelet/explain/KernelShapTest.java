package io.omelet.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KernelSHAP through the model's own transform, and the explainer's contract, on lending_club. */
class KernelShapTest {
  private static PipelineModel gbt;
  private static PipelineModel logistic;

  @BeforeAll
  static void fit() {
    Dataset<Row> lc = TestSpark.lendingClub();
    gbt = TestSpark.fitPipeline(lc, TestSpark.LC_STRINGS, TestSpark.LC_NUMBERS,
        new GBTClassifier().setMaxIter(20).setMaxDepth(4).setSeed(11));
    logistic = TestSpark.fitPipeline(lc, TestSpark.LC_STRINGS, TestSpark.LC_NUMBERS,
        new LogisticRegression().setMaxIter(30).setRegParam(0.01));
  }

  private static Dataset<Row> rows(int n) {
    return TestSpark.lendingClub().orderBy("funded_amnt", "annual_inc", "int_rate").limit(n);
  }

  private static Map<Long, double[]> byId(Dataset<Row> explained, String col) {
    Map<Long, double[]> out = new HashMap<>();
    for (Row r : explained.select(functions.col("rid"), functions.col(col)).collectAsList()) {
      out.put(r.getLong(0), ((Vector) r.getAs(1)).toArray());
    }
    return out;
  }

  @Test
  void kernelShapAgreesWithExactTreeShapOnTheSameGbtPipeline() {
    Dataset<Row> data = rows(16).withColumn("rid", functions.monotonically_increasing_id()).cache();
    ShapExplainer tree = new ShapExplainer().setModel(gbt).setMethod("tree");
    ShapExplainer kernel = new ShapExplainer().setModel(gbt).setMethod("kernel").setExplainedOutput("raw")
        .setNumSamples(1500).setBackgroundSize(60).setBackgroundData(TestSpark.lendingClub());
    assertEquals("tree", new ShapExplainer().setModel(gbt).resolvedMethod());
    assertEquals(tree.featureNames(), kernel.featureNames());
    Map<Long, double[]> exact = byId(tree.transform(data), "shap");
    Dataset<Row> k = kernel.transform(data).cache();
    Map<Long, double[]> approx = byId(k, "shap");
    assertEquals(16, approx.size());
    List<Double> correlations = new ArrayList<>();
    for (Map.Entry<Long, double[]> e : exact.entrySet()) {
      correlations.add(correlation(e.getValue(), approx.get(e.getKey())));
    }
    correlations.sort(null);
    double median = correlations.get(correlations.size() / 2);
    assertTrue(median > 0.95, "median per-row correlation KernelSHAP vs TreeSHAP: " + correlations);
    assertTrue(correlations.get(0) > 0.8, "worst per-row correlation KernelSHAP vs TreeSHAP: " + correlations);
    List<Double> r2 = new ArrayList<>();
    for (Row r : k.select("shap_fit_r2").collectAsList()) r2.add(r.getDouble(0));
    r2.sort(null);
    assertTrue(r2.get(r2.size() - 1) <= 1.0 + 1e-9 && r2.get(r2.size() / 2) > 0.5, "R^2 per row: " + r2
        + "; correlations: " + correlations);
  }

  private static double correlation(double[] a, double[] b) {
    double ma = Arrays.stream(a).average().orElse(0);
    double mb = Arrays.stream(b).average().orElse(0);
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  /** Efficiency: base + sum(phi) is the model's probability of the target class, for any model (here a logistic regression). */
  @Test
  void kernelShapIsAdditiveForAnyModelAndCountsACategoricalOnce() {
    ShapExplainer k = new ShapExplainer().setModel(logistic).setNumSamples(400).setBackgroundSize(25).setTargetClass(1);
    assertEquals("kernel", k.resolvedMethod());
    Dataset<Row> out = k.transform(rows(10));
    List<String> names = AttributeGroup.fromStructField(out.schema().apply("shap")).attributes().isDefined()
        ? Arrays.stream(AttributeGroup.fromStructField(out.schema().apply("shap")).attributes().get())
            .map(a -> a.name().get()).collect(Collectors.toList())
        : List.of();
    assertEquals(22, names.size(), "one feature per input column: " + names);
    assertTrue(names.containsAll(List.of(TestSpark.LC_STRINGS)));
    List<Row> scored = logistic.transform(out).select("shap", "shap_base", "probability", "shap_fit_r2").collectAsList();
    assertEquals(10, scored.size());
    for (Row r : scored) {
      double sum = r.getDouble(1);
      for (double p : ((Vector) r.getAs(0)).toArray()) sum += p;
      assertEquals(((Vector) r.getAs(2)).apply(1), sum, 1e-9);
      assertTrue(r.getDouble(3) > 0.9, "a linear-in-logit model fits well: R^2 " + r.getDouble(3));
    }
  }

  @Test
  void kmeansBackgroundIsASmallWeightedSummaryOfRealValues() {
    String[] cols = new ArrayList<>(List.of(TestSpark.LC_NUMBERS)) {{ addAll(List.of(TestSpark.LC_STRINGS)); }}
        .toArray(new String[0]);
    Background bg = Background.kmeans(TestSpark.lendingClub(), cols, 12, 3);
    assertTrue(bg.size() <= 12 && bg.size() >= 6, "centres: " + bg.size());
    assertEquals(1.0, Arrays.stream(bg.weights).sum(), 1e-12);
    int states = Arrays.asList(cols).indexOf("addr_state");
    Set<Object> realStates = TestSpark.lendingClub().select("addr_state").distinct().collectAsList().stream()
        .map(r -> r.get(0)).collect(Collectors.toSet());
    for (Object[] row : bg.rows) assertTrue(realStates.contains(row[states]), "not a real state: " + row[states]);

    ShapExplainer k = new ShapExplainer().setModel(gbt).setMethod("kernel").setBackgroundMode("kmeans")
        .setBackgroundSize(12).setNumSamples(300).setOutputForm("map").setBackgroundData(TestSpark.lendingClub());
    List<Row> out = gbt.transform(k.transform(rows(6))).select("shap", "shap_base", "probability").collectAsList();
    assertEquals(6, out.size());
    for (Row r : out) {
      Map<String, Double> m = r.getJavaMap(0);
      assertEquals(22, m.size());
      double sum = r.getDouble(1) + m.values().stream().mapToDouble(Double::doubleValue).sum();
      assertEquals(((Vector) r.getAs(2)).apply(1), sum, 1e-9);
    }
  }

  @Test
  void badInputsGiveClearErrorsBeforeAnyJob() {
    Dataset<Row> five = rows(5);
    Dataset<Row> noRate = five.drop("int_rate");
    assertEquals(0, io.omelet.testing.SharedSpark.jobsDuring(() -> checkBadInputs(five, noRate)),
        "every bad input is refused before a Spark job runs");
  }

  private void checkBadInputs(Dataset<Row> five, Dataset<Row> noRate) {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().setModel(gbt).transform(noRate));
    assertTrue(missing.getMessage().contains("'int_rate'"), missing.getMessage());

    IllegalArgumentException notTree = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().setModel(logistic).setMethod("tree").transformSchema(five.schema()));
    assertTrue(notTree.getMessage().contains("LogisticRegressionModel") && notTree.getMessage().contains("method=kernel"),
        notTree.getMessage());

    IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().setModel(gbt).setOutputCol("int_rate").transformSchema(five.schema()));
    assertTrue(exists.getMessage().contains("'int_rate'"), exists.getMessage());

    IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().transformSchema(five.schema()));
    assertTrue(noModel.getMessage().contains("setModel"), noModel.getMessage());

    IllegalArgumentException treeProb = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().setModel(gbt).setMethod("tree").setExplainedOutput("probability")
            .transformSchema(five.schema()));
    assertTrue(treeProb.getMessage().contains("method=kernel"), treeProb.getMessage());
  }

  @Test
  void coalitionsEnumerateSmallSizesAndCarryTheWholeKernelMass() {
    Coalitions c = Coalitions.sample(22, Coalitions.defaultNumSamples(22), 5);
    assertEquals(2092, c.size());
    // Sizes 1 and 21 fit the budget at their kernel share; sizes 2 and 20 (462 subsets) would need 462 of
    // the 2048 left but their share of it is 434: they are sampled.
    assertEquals(2 * 22, c.enumerated);
    assertEquals(1.0, Arrays.stream(c.weights).sum(), 1e-9);
    assertEquals(c.size(), Arrays.stream(c.masks).distinct().count());
    Coalitions all = Coalitions.sample(5, 1000, 5);
    assertEquals(30, all.size());
    assertEquals(30, all.enumerated);
  }
}
