package io.omelet.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.omelet.automl.AutoMLJob;
import io.omelet.automl.AutoMLModel;
import io.omelet.automl.AutoMLResult;
import io.omelet.automl.OmeletAutoML;
import io.omelet.scoring.FeatureBinding;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.MojoScoring;
import io.omelet.scoring.RowContributions;
import io.omelet.scoring.ScoringColumns;

/** H2O models explained through their MOJO: exact, additive, per input column; KernelSHAP agrees; bad inputs. */
class MojoShapTest {

  private static Dataset<Row> data(String kind) {
    return kind.endsWith("_reg") ? H2OModels.diamondsH2OColumns() : H2OModels.lendingClubH2OColumns();
  }

  /** The value the contributions must add up to for each row, from the MOJO's own scoring. */
  private static double[] explainedValues(Dataset<Row> rows, MojoModel mojo) {
    RowContributions rc = new RowContributions(mojo, FeatureBinding.bind(rows.schema(), mojo));
    List<Row> scored = MojoScoring.transform(rows, mojo, new ScoringColumns("__pred", null, "__p_"), "test").collectAsList();
    String[] domain = mojo.responseDomain();
    double[] out = new double[scored.size()];
    for (int i = 0; i < out.length; i++) {
      Row r = scored.get(i);
      double[] preds;
      if (domain == null) {
        preds = new double[] {r.getDouble(r.fieldIndex("__pred"))};
      } else {
        double p1 = r.getDouble(r.fieldIndex("__p_" + domain[1]));
        preds = new double[] {0, 1 - p1, p1};
      }
      out[i] = rc.explainedValue(preds);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"gbm", "drf", "xrt", "xgboost", "glm", "gbm_reg", "glm_reg"})
  void exactContributionsAddUpToTheModelsLinkScaleOutput(String kind) {
    MojoModel mojo = H2OModels.get(kind);
    Dataset<Row> rows = data(kind).limit(500).cache();
    ShapExplainer explainer = new ShapExplainer().setMojo(mojo);
    assertEquals("tree", explainer.resolvedMethod());
    // One value per input column: a categorical is one feature (XGBoost's one-hot levels are summed back).
    List<String> features = explainer.featureNames();
    assertEquals(new java.util.TreeSet<>(Arrays.asList(mojo.features())), new java.util.TreeSet<>(features));
    assertEquals(kind.endsWith("_reg") ? 9 : 22, features.size());
    List<Row> out = explainer.transform(rows).select("shap", "shap_base").collectAsList();
    double[] expected = explainedValues(rows, mojo);
    assertEquals(500, out.size());
    double maxErr = 0;
    double[] absSum = new double[features.size()];
    for (int i = 0; i < out.size(); i++) {
      double[] phi = ((Vector) out.get(i).get(0)).toArray();
      double sum = out.get(i).getDouble(1);
      for (int f = 0; f < phi.length; f++) {
        sum += phi[f];
        absSum[f] += Math.abs(phi[f]);
      }
      maxErr = Math.max(maxErr, Math.abs(sum - expected[i]));
    }
    System.err.printf("%s: max |base + sum(shap) - %s| = %.3g over 500 rows%n", kind, explainer.describeOutput(), maxErr);
    // XGBoost's MOJO scores in float32 and h2o-genmodel's TreeSHAP for it is float32 too: additive to float32
    // rounding only. GBM, DRF (double-precision TreeSHAP here) and GLM (linear terms) are additive to 1e-6.
    double tolerance = kind.equals("xgboost") ? 1e-4 : 1e-6;
    assertTrue(maxErr < tolerance, kind + ": max |base + sum(shap) - " + explainer.describeOutput() + "| = " + maxErr);
    // A categorical column carries weight too (sub_grade for loans, clarity for diamonds).
    String cat = kind.endsWith("_reg") ? "clarity" : "sub_grade";
    assertTrue(absSum[features.indexOf(cat)] > 0, kind + ": " + cat + " never contributes");
    String expectedScale = kind.endsWith("_reg") ? "prediction"
        : kind.equals("drf") || kind.equals("xrt") ? "probability of class good" : "log-odds of class good";
    assertEquals(expectedScale, explainer.describeOutput());
  }

  @Test
  void aMojoScorerIsExplainedExactlyThroughItsMojoAndByKernelShapThroughItsOutput() {
    MojoModel mojo = H2OModels.get("gbm");
    Dataset<Row> rows = data("gbm").limit(40).cache();
    ShapExplainer exact = new ShapExplainer().setModel(io.omelet.scoring.MojoScorer.of(mojo));
    assertEquals("tree", exact.resolvedMethod());
    List<Row> viaScorer = exact.transform(rows).select("shap", "shap_base").collectAsList();
    List<Row> viaMojo = new ShapExplainer().setMojo(mojo).transform(rows).select("shap", "shap_base").collectAsList();
    assertEquals(viaMojo, viaScorer);
    ShapExplainer kernel = new ShapExplainer().setModel(io.omelet.scoring.MojoScorer.of(mojo)).setMethod("kernel")
        .setNumSamples(200).setBackgroundSize(20);
    assertEquals("kernel", kernel.resolvedMethod());
    Dataset<Row> five = rows.limit(5).withColumn("id", functions.monotonically_increasing_id()).cache();
    List<Row> approx = kernel.transform(five).orderBy("id").select("shap", "shap_base").collectAsList();
    assertEquals(5, approx.size());
    assertEquals(22, ((Vector) approx.get(0).get(0)).size());
    // KernelSHAP explains the scorer's probability of the target class: each row's values add up to it
    List<Row> scored = io.omelet.scoring.MojoScorer.of(mojo).transform(five).orderBy("id").select("probability")
        .collectAsList();
    List<Row> exactFive = exact.transform(five).orderBy("id").select("shap").collectAsList();
    double sumCorr = 0;
    for (int i = 0; i < 5; i++) {
      double[] k = ((Vector) approx.get(i).get(0)).toArray();
      double p = ((Vector) scored.get(i).get(0)).apply(1);
      assertEquals(p, Arrays.stream(k).sum() + approx.get(i).getDouble(1), 1e-6, "row " + i + " adds up");
      // and they order the features as the exact (log-odds) values do
      sumCorr += pearson(k, ((Vector) exactFive.get(i).get(0)).toArray());
    }
    System.err.printf("KernelSHAP (probability, 200 samples) vs TreeSHAP (log-odds): mean per-row correlation %.3f%n",
        sumCorr / 5);
    assertTrue(sumCorr / 5 > 0.8, "mean per-row correlation " + sumCorr / 5);
  }

  @Test
  void rowContributionsFromAPreparedRowMatchTheInternalRowPathAndTheOtherClass() {
    MojoModel mojo = H2OModels.get("gbm");
    Dataset<Row> rows = data("gbm").limit(5).cache();
    FeatureBinding binding = FeatureBinding.bind(rows.schema(), mojo);
    RowContributions rc = new RowContributions(mojo, binding);
    assertEquals(Arrays.asList(mojo.features()), Arrays.asList(rc.names()));
    List<Row> out = new ShapExplainer().setMojo(mojo).transform(rows).select("shap", "shap_base").collectAsList();
    List<Row> other = new ShapExplainer().setMojo(mojo).setTargetClass(0).transform(rows).select("shap", "shap_base")
        .collectAsList();
    List<org.apache.spark.sql.catalyst.InternalRow> internal = rows.queryExecution().toRdd().toJavaRDD().map(org.apache.spark.sql.catalyst.InternalRow::copy).collect();
    assertEquals(out.size(), internal.size());
    double[] prepared = new double[mojo.contributionsModel().getNames().length];
    for (int i = 0; i < out.size(); i++) {
      double[] a = ((Vector) out.get(i).get(0)).toArray();
      double[] b = ((Vector) other.get(i).get(0)).toArray();
      for (int f = 0; f < a.length; f++) assertEquals(-a[f], b[f], 1e-12);
      assertEquals(-out.get(i).getDouble(1), other.get(i).getDouble(1), 1e-12);
      // the prepared-row path (what REST scoring calls) gives what the InternalRow path and the transform give
      binding.fill(internal.get(i), prepared);
      double[] viaPrepared = rc.contributions(prepared);
      double[] viaInternal = rc.contributions(internal.get(i));
      assertArrayEquals(viaInternal, viaPrepared, 0.0);
      assertEquals(a.length + 1, viaPrepared.length);
      for (int f = 0; f < a.length; f++) assertEquals(a[f], viaPrepared[f], 1e-12);
      assertEquals(out.get(i).getDouble(1), viaPrepared[a.length], 1e-12);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gbm", "drf", "gbm_reg"})
  void doublePrecisionTreeShapMatchesH2OsOwnFloatContributions(String kind) {
    MojoModel mojo = H2OModels.get(kind);
    Dataset<Row> rows = data(kind).limit(200);
    FeatureBinding binding = FeatureBinding.bind(rows.schema(), mojo);
    RowContributions rc = new RowContributions(mojo, binding);
    hex.genmodel.PredictContributions h2o =
        ((hex.genmodel.PredictContributionsFactory) mojo.contributionsModel()).makeContributionsPredictor();
    assertEquals(Arrays.asList(mojo.features()),
        Arrays.asList(h2o.getContributionNames()).subList(0, mojo.features().length));
    double[] row = new double[mojo.contributionsModel().getNames().length];
    double maxRel = 0;
    for (org.apache.spark.sql.catalyst.InternalRow in : rows.queryExecution().toRdd().toJavaRDD().map(org.apache.spark.sql.catalyst.InternalRow::copy).collect()) {
      binding.fill(in, row);
      double[] ours = rc.contributions(row);
      float[] theirs = h2o.calculateContributions(row);
      assertEquals(ours.length, theirs.length);
      int bias = ours.length - 1;
      // A binomial DRF's p1 = 1 - mean(trees). Here the constant 1 is in the base value (a feature that never
      // changes the output gets 0); h2o-genmodel spreads it evenly over the bias and every nonzero contribution.
      double spread = kind.equals("drf") ? theirs[bias] - ours[bias] + 1 : 0;
      for (int f = 0; f < ours.length; f++) {
        double expected = theirs[f] - (theirs[f] != 0 ? spread : 0) + (f == bias && kind.equals("drf") ? 1 : 0);
        maxRel = Math.max(maxRel, Math.abs(ours[f] - expected) / (1 + Math.abs(expected)));
      }
    }
    // The same Shapley values; h2o-genmodel's are float32.
    assertTrue(maxRel < 1e-4, kind + ": max relative difference to h2o-genmodel " + maxRel);
  }

  @Test
  void autoMLModelKernelShapAgreesWithExactTreeShapOnTheLogOddsScale() {
    Dataset<Row> lc = H2OModels.lendingClubH2OColumns();
    OmeletAutoML s = new OmeletAutoML().setLabelCol("Class").setIncludeAlgos("GBM").setMaxModels(1).setNfolds(2).setSeed(42);
    AutoMLResult result = new AutoMLJob(H2OModels.h2o(), s).run(lc);
    AutoMLModel model = new AutoMLModel("shap_automl_gbm", result);
    Dataset<Row> rows = lc.drop("Class").limit(20).cache();

    ShapExplainer tree = new ShapExplainer().setModel(model);
    assertEquals("tree", tree.resolvedMethod());
    assertEquals("log-odds of class good", tree.describeOutput());
    ShapExplainer kernel = new ShapExplainer().setModel(model).setMethod("kernel").setExplainedOutput("raw")
        .setNumSamples(2048).setBackgroundSize(50).setBackgroundData(lc.drop("Class")).setSeed(5);
    assertEquals("log-odds of class good", kernel.describeOutput());
    assertEquals(tree.featureNames(), kernel.featureNames());

    Dataset<Row> withId = rows.withColumn("id", functions.monotonically_increasing_id()).cache();
    List<Row> t = tree.transform(withId).orderBy("id").select("shap").collectAsList();
    List<Row> k = kernel.transform(withId).orderBy("id").select("shap", "shap_fit_r2").collectAsList();
    assertEquals(20, k.size());
    double sumCorr = 0;
    double minCorr = 1;
    int n = tree.featureNames().size();
    double[] treeImportance = new double[n];
    double[] kernelImportance = new double[n];
    List<Double> pooledTree = new java.util.ArrayList<>();
    List<Double> pooledKernel = new java.util.ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      double[] a = ((Vector) t.get(i).get(0)).toArray();
      double[] b = ((Vector) k.get(i).get(0)).toArray();
      double c = pearson(a, b);
      sumCorr += c;
      minCorr = Math.min(minCorr, c);
      for (int f = 0; f < n; f++) {
        treeImportance[f] += Math.abs(a[f]) / t.size();
        kernelImportance[f] += Math.abs(b[f]) / t.size();
        pooledTree.add(a[f]);
        pooledKernel.add(b[f]);
      }
    }
    double mean = sumCorr / t.size();
    double pooled = pearson(pooledTree.stream().mapToDouble(Double::doubleValue).toArray(),
        pooledKernel.stream().mapToDouble(Double::doubleValue).toArray());
    System.err.printf("KernelSHAP vs TreeSHAP (H2O GBM, log-odds): mean per-row correlation %.4f, min %.4f,"
        + " pooled %.4f, importance %.4f%n", mean, minCorr, pooled, pearson(treeImportance, kernelImportance));
    // TreeSHAP is path-dependent (expectations along the trees' covers), KernelSHAP interventional (over 50
    // background rows): they estimate different things, so a row whose contributions are all small (a shallow
    // GBM's) can differ in its order. What must agree: every contribution pooled, each row on average, and the
    // global ranking of the features.
    assertTrue(pooled > 0.95, "pooled correlation " + pooled);
    assertTrue(mean > 0.95, "mean per-row correlation " + mean + " (min " + minCorr + ")");
    assertTrue(minCorr > 0.7, "min per-row correlation " + minCorr);
    assertTrue(pearson(treeImportance, kernelImportance) > 0.97, "global importance correlation");
    assertEquals(topFeatures(treeImportance, 3), topFeatures(kernelImportance, 3));
  }

  private static java.util.Set<Integer> topFeatures(double[] importance, int k) {
    return java.util.stream.IntStream.range(0, importance.length).boxed()
        .sorted((x, y) -> Double.compare(importance[y], importance[x])).limit(k)
        .collect(java.util.stream.Collectors.toSet());
  }

  private static double pearson(double[] a, double[] b) {
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

  @Test
  void aMissingFeatureIsNamedBeforeAnyJobRuns() {
    MojoModel mojo = H2OModels.get("gbm");
    Dataset<Row> noRate = data("gbm").drop("int_rate");
    IllegalArgumentException[] e = new IllegalArgumentException[1];
    assertEquals(0, io.omelet.testing.SharedSpark.jobsDuring(() -> e[0] = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().setMojo(mojo).transform(noRate))), "refused before any Spark job");
    assertTrue(e[0].getMessage().contains("'int_rate' is missing"), e[0].getMessage());
    IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
        () -> new RowContributions(mojo, FeatureBinding.bind(noRate.schema(), mojo)));
    assertTrue(b.getMessage().contains("int_rate"), b.getMessage());
  }

  @Test
  void treeShapOfAModelWithoutContributionsNamesTheKernelFallback() {
    MojoModel dl = H2OModels.get("deeplearning");
    assertTrue(!RowContributions.supported(dl));
    Dataset<Row> rows = data("gbm").limit(10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().setMojo(dl).setMethod("tree").transform(rows));
    assertTrue(e.getMessage().contains("deeplearning") && e.getMessage().contains("\"kernel\""), e.getMessage());
    IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
        () -> new RowContributions(dl, FeatureBinding.bind(rows.schema(), dl)));
    assertTrue(r.getMessage().contains("deeplearning") && r.getMessage().contains("method \"kernel\""), r.getMessage());
    // auto with only a MOJO cannot fall back: KernelSHAP needs the model as a Transformer, and says so.
    IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().setMojo(dl).transform(rows));
    assertTrue(a.getMessage().contains("setModel"), a.getMessage());
  }

  /**
   * A multinomial GBM is explained exactly, one vector per class: class c's base + contributions is its
   * raw score, and the softmax of the raw scores of all classes is the model's own probabilities.
   */
  @Test
  void aMultinomialGbmIsExplainedExactlyPerClass() {
    MojoModel multi = H2OModels.get("gbm_multi");
    Dataset<Row> penguins = H2OModels.penguins().cache();
    String[] classes = multi.responseDomain();
    assertEquals(3, classes.length);
    List<Row> scored = MojoScoring.transform(penguins, multi, new ScoringColumns("__pred", null, "__p_"), "test").collectAsList();
    int n = scored.size();
    double[][] raw = new double[n][classes.length];
    for (int c = 0; c < classes.length; c++) {
      ShapExplainer explainer = new ShapExplainer().setMojo(multi).setTargetClass(c);
      assertEquals("tree", explainer.resolvedMethod());
      assertEquals("raw score of class " + classes[c], explainer.describeOutput());
      List<Row> out = explainer.transform(penguins).select("shap", "shap_base").collectAsList();
      assertEquals(n, out.size());
      for (int i = 0; i < n; i++) {
        double sum = out.get(i).getDouble(1);
        for (double p : ((Vector) out.get(i).get(0)).toArray()) sum += p;
        raw[i][c] = sum;
      }
    }
    double maxErr = 0;
    for (int i = 0; i < n; i++) {
      double max = Arrays.stream(raw[i]).max().orElseThrow();
      double z = 0;
      for (double r : raw[i]) z += Math.exp(r - max);
      for (int c = 0; c < classes.length; c++) {
        double p = scored.get(i).getDouble(scored.get(i).fieldIndex("__p_" + classes[c]));
        maxErr = Math.max(maxErr, Math.abs(Math.exp(raw[i][c] - max) / z - p));
      }
    }
    assertTrue(maxErr < 1e-9, "softmax(base + sum(shap)) vs the model's probabilities: max error " + maxErr);
    // RowContributions needs the class of a multinomial model, and says so
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RowContributions(multi, FeatureBinding.bind(penguins.schema(), multi)));
    assertTrue(e.getMessage().contains("per class") && e.getMessage().contains("targetClass"), e.getMessage());
  }

  @Test
  void aMultinomialDrfHasNoExactContributionsAndTheErrorSaysWhy() {
    MojoModel multi = H2OModels.get("drf_multi");
    Dataset<Row> penguins = H2OModels.penguins().limit(10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ShapExplainer().setMojo(multi).setMethod("tree").transform(penguins));
    assertTrue(e.getMessage().contains("Multinomial") && e.getMessage().contains("multinomial GBM")
        && e.getMessage().contains("\"kernel\""), e.getMessage());
  }
}
