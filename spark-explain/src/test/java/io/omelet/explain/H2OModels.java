package io.omelet.explain;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import hex.Model;
import hex.ModelBuilder;
import hex.glm.GLM;
import hex.glm.GLMModel;
import hex.tree.SharedTreeModel;
import hex.tree.drf.DRF;
import hex.tree.drf.DRFModel;
import hex.tree.gbm.GBM;
import hex.tree.gbm.GBMModel;
import hex.tree.xgboost.XGBoost;
import hex.tree.xgboost.XGBoostModel;
import io.omelet.automl.engine.EmbeddedH2OEngine;
import io.omelet.scoring.MojoModel;
import water.Key;
import water.fvec.Frame;

/**
 * Single H2O models trained on the JVM's one embedded H2O node (shared with every test class), with
 * fixed parameters and seeds, handed back as MOJOs. Trained once per JVM and kind.
 */
final class H2OModels {
  private static final Map<String, MojoModel> CACHE = new HashMap<>();
  private static final Map<String, Key<Frame>> FRAMES = new HashMap<>();

  private H2OModels() {}

  static EmbeddedH2OEngine h2o() {
    TestSpark.spark();
    EmbeddedH2OEngine engine = EmbeddedH2OEngine.get();
    engine.start();
    return engine;
  }

  /** lending_club's 3,000 test rows, features and the Class label (good/bad). */
  static Dataset<Row> lendingClubH2OColumns() {
    String[] cols = new String[TestSpark.LC_NUMBERS.length + TestSpark.LC_STRINGS.length + 1];
    System.arraycopy(TestSpark.LC_NUMBERS, 0, cols, 0, TestSpark.LC_NUMBERS.length);
    System.arraycopy(TestSpark.LC_STRINGS, 0, cols, TestSpark.LC_NUMBERS.length, TestSpark.LC_STRINGS.length);
    cols[cols.length - 1] = "Class";
    return TestSpark.lendingClub().selectExpr(cols);
  }

  /** diamonds' 2,000 test rows with the price (regression). */
  static Dataset<Row> diamondsH2OColumns() {
    return TestSpark.diamonds().select("carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z", "price");
  }

  /** penguins: three species (multinomial); missing values are written NA. */
  static Dataset<Row> penguins() {
    return TestSpark.spark().read().option("header", true).option("inferSchema", true).option("nullValue", "NA")
        .csv(TestSpark.dataDir().resolve("penguins.csv").toString())
        .select("species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g");
  }

  private static synchronized Key<Frame> frame(String name, Dataset<Row> data) {
    return FRAMES.computeIfAbsent(name, n -> {
      Key<Frame> key = Key.make("omelet_shap_" + n);
      h2o().toH2OFrame(data, key);
      return key;
    });
  }

  /**
   * kind: gbm, drf, xrt, xgboost, glm, deeplearning (binomial on lending_club), gbm_reg, drf_reg, glm_reg
   * (diamonds' price), gbm_multi or drf_multi (penguins' species).
   */
  static synchronized MojoModel get(String kind) {
    return CACHE.computeIfAbsent(kind, H2OModels::train);
  }

  private static MojoModel train(String kind) {
    boolean regression = kind.endsWith("_reg");
    boolean multinomial = kind.endsWith("_multi");
    Key<Frame> train = regression ? frame("diamonds", diamondsH2OColumns())
        : multinomial ? frame("penguins", penguins()) : frame("lc", lendingClubH2OColumns());
    String response = regression ? "price" : multinomial ? "species" : "Class";
    ModelBuilder<?, ?, ?> builder = switch (kind) {
      case "gbm", "gbm_reg", "gbm_multi" -> {
        GBMModel.GBMParameters p = new GBMModel.GBMParameters();
        p._ntrees = 30;
        p._max_depth = 4;
        yield new GBM(common(p, train, response));
      }
      case "drf", "xrt", "drf_reg", "drf_multi" -> {
        DRFModel.DRFParameters p = new DRFModel.DRFParameters();
        p._ntrees = 20;
        p._max_depth = 8;
        if (kind.equals("xrt")) p._histogram_type = SharedTreeModel.SharedTreeParameters.HistogramType.Random;
        yield new DRF(common(p, train, response));
      }
      case "xgboost" -> {
        XGBoostModel.XGBoostParameters p = new XGBoostModel.XGBoostParameters();
        p._ntrees = 30;
        p._max_depth = 4;
        yield new XGBoost(common(p, train, response));
      }
      case "glm", "glm_reg" -> {
        GLMModel.GLMParameters p = new GLMModel.GLMParameters();
        p._family = regression ? GLMModel.GLMParameters.Family.gaussian : GLMModel.GLMParameters.Family.binomial;
        yield new GLM(common(p, train, response));
      }
      case "deeplearning" -> {
        hex.deeplearning.DeepLearningModel.DeepLearningParameters p =
            new hex.deeplearning.DeepLearningModel.DeepLearningParameters();
        p._hidden = new int[] {8};
        p._epochs = 1;
        p._reproducible = true;
        yield new hex.deeplearning.DeepLearning(common(p, train, response));
      }
      default -> throw new IllegalArgumentException(kind);
    };
    Model<?, ?, ?> model = builder.trainModel().get();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    model.getMojo().writeTo(out);
    return MojoModel.of(out.toByteArray());
  }

  private static <P extends Model.Parameters> P common(P p, Key<Frame> train, String response) {
    p._train = train;
    p._response_column = response;
    p._seed = 17;
    return p;
  }
}
