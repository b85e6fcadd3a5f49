package io.omelet.explain;

import io.omelet.trees.TreeEnsemble;
import java.util.List;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * Exact path-dependent TreeSHAP from a fitted Spark ML tree model's own trees. The model's feature
 * stages build the feature vector; TreeSHAP explains its slots and the slots of one raw column
 * (one-hot slots of a string column) are summed back to that column.
 */
final class TreeShapSource extends PartitionShapSource {
  static final String VECTOR_COL = "__omelet_tree_x";

  private final PipelineModel featureStages;
  private final String featuresCol;
  private final TreeEnsemble ensemble;
  private final List<String> features;
  private final int[] slotFeature;

  TreeShapSource(PipelineModel featureStages, String featuresCol, TreeEnsemble ensemble, List<String> features,
      int[] slotFeature) {
    this.featureStages = featureStages;
    this.featuresCol = featuresCol;
    this.ensemble = ensemble;
    this.features = List.copyOf(features);
    this.slotFeature = slotFeature;
  }

  /**
   * Builds the source for {@code anatomy}'s tree predictor. {@code features} fixes the order of the
   * SHAP vector; every slot's raw column must be among them.
   */
  static TreeShapSource of(ModelAnatomy anatomy, Dataset<Row> input, int targetClass, List<String> features) {
    TreeEnsemble e = TreeEnsemble.of(anatomy.predictor(), targetClass);
    PipelineModel stages = anatomy.featureStages();
    Dataset<Row> featurized = stages.transform(input);
    ModelAnatomy.SlotMap slots = anatomy.slotMap(featurized, e.numSlots());
    int[] slotFeature = new int[e.numSlots()];
    for (int s = 0; s < slotFeature.length; s++) {
      String name = slots.features().get(slots.slotFeature()[s]);
      int idx = features.indexOf(name);
      if (idx < 0) {
        throw new IllegalArgumentException("the model reads column '" + name + "' but it is not among the explained "
            + "features " + features + "; add it to inputCols (TreeSHAP explains every input of the trees)");
      }
      slotFeature[s] = idx;
    }
    return new TreeShapSource(stages, anatomy.featuresCol(), e, features, slotFeature);
  }

  @Override
  public String method() {
    return "tree";
  }

  @Override
  public List<String> features() {
    return features;
  }

  TreeEnsemble ensemble() {
    return ensemble;
  }

  @Override
  protected Dataset<Row> prepare(Dataset<Row> input) {
    Dataset<Row> featurized = featureStages.transform(input);
    String[] keep = input.columns();
    org.apache.spark.sql.Column[] cols = new org.apache.spark.sql.Column[keep.length + 1];
    for (int i = 0; i < keep.length; i++) cols[i] = input.col(keep[i]);
    cols[keep.length] = featurized.col(featuresCol).as(VECTOR_COL);
    return featurized.select(cols);
  }

  @Override
  protected PartitionExplainer partitionExplainer() {
    return explainer(ensemble, slotFeature);
  }

  private static PartitionExplainer explainer(TreeEnsemble e, int[] slots) {
    double base = e.expectedValue();
    return (StructType schema) -> {
      int xIndex = schema.fieldIndex(VECTOR_COL);
      io.omelet.trees.TreeShap shap = e.shap();
      double[] slotPhi = new double[e.numSlots()];
      VectorUDT vectors = new VectorUDT();
      return (InternalRow row, double[] phi) -> {
        double[] x = vectors.deserialize(row.getStruct(xIndex, 4)).toArray();
        java.util.Arrays.fill(slotPhi, 0.0);
        shap.shap(x, slotPhi);
        for (int s = 0; s < slotPhi.length; s++) phi[slots[s]] += slotPhi[s];
        return base;
      };
    };
  }
}
