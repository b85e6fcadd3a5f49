package io.omelet.tuning;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * The unfitted stages that turn a raw table's columns into one feature vector, as a user would write them
 * and as {@code omelet tune} does: text columns indexed (unseen values kept as their own index), numbers
 * and booleans cast to double with missing values imputed by the median, all assembled into
 * {@code featuresCol}. Decided from the schema and one pass of counts: a text column with more than
 * {@link #MAX_CATEGORIES} distinct values (an identifier more than a category), a column null in every
 * row, and a column of another type are left out, each with the reason. Put {@link #stages()} before
 * the model in the pipeline that is tuned, so every fold fits them on its own training rows.
 *
 * <pre>{@code
 * FeaturePreparation prep = FeaturePreparation.of(table, "churn", "features");
 * List<PipelineStage> stages = new ArrayList<>(prep.stages());
 * stages.add(new GBTClassifier().setFeaturesCol("features").setMaxBins(prep.maxBins()));
 * }</pre>
 */
public final class FeaturePreparation {
  /** A text column with more distinct values than this is an identifier more than a feature. */
  public static final int MAX_CATEGORIES = 100;

  private final List<PipelineStage> stages = new ArrayList<>();
  private final List<String> features = new ArrayList<>();
  private final List<String> leftOut = new ArrayList<>();
  private int maxBins = 32;

  private FeaturePreparation() {}

  /** The stages for every column of {@code data} but {@code labelCol}; runs one job (the counts). */
  public static FeaturePreparation of(Dataset<Row> data, String labelCol, String featuresCol) {
    FeaturePreparation f = new FeaturePreparation();
    List<StructField> text = new ArrayList<>();
    List<StructField> numeric = new ArrayList<>();
    List<StructField> flags = new ArrayList<>();
    for (StructField c : data.schema().fields()) {
      if (c.name().equals(labelCol)) continue;
      if (c.dataType() instanceof StringType) text.add(c);
      else if (c.dataType() instanceof NumericType) numeric.add(c);
      else if (c.dataType() instanceof BooleanType) flags.add(c);
      else f.leftOut.add(c.name() + " (" + c.dataType().simpleString() + ": neither text nor a number)");
    }
    numeric.addAll(flags);
    // One pass: distinct values of each text column, then non-null values of each number, in that order.
    List<Column> counts = new ArrayList<>();
    for (StructField c : text) counts.add(functions.approx_count_distinct(data.col("`" + c.name() + "`")));
    for (StructField c : numeric) counts.add(functions.count(data.col("`" + c.name() + "`")));
    Row r = counts.isEmpty() ? null : data.agg(counts.get(0), counts.subList(1, counts.size()).toArray(new Column[0])).head();
    int i = 0;
    List<String> indexIn = new ArrayList<>();
    List<String> indexOut = new ArrayList<>();
    for (StructField c : text) {
      long distinct = r.getLong(i++);
      if (distinct > MAX_CATEGORIES) {
        f.leftOut.add(c.name() + " (text with ~" + distinct + " distinct values: an identifier more than a category)");
      } else {
        indexIn.add(c.name());
        indexOut.add(c.name() + "__idx");
        // one bin per category and one for a category not seen in training
        f.maxBins = Math.max(f.maxBins, (int) Math.ceil(distinct * 1.1) + 2);
      }
    }
    List<String> imputeIn = new ArrayList<>();
    List<String> imputeOut = new ArrayList<>();
    List<String> imputed = new ArrayList<>();
    StringBuilder casts = new StringBuilder();
    for (StructField c : numeric) {
      long nonNull = r.getLong(i++);
      if (nonNull == 0) {
        f.leftOut.add(c.name() + " (null in every row)");
        continue;
      }
      String asDouble = c.name() + "__num";
      casts.append(", CAST(`").append(c.name().replace("`", "``")).append("` AS DOUBLE) AS `").append(asDouble.replace("`", "``")).append('`');
      imputeIn.add(asDouble);
      imputeOut.add(c.name() + "__imp");
      imputed.add(c.name());
    }
    if (!casts.isEmpty()) f.stages.add(new SQLTransformer().setStatement("SELECT *" + casts + " FROM __THIS__"));
    if (!indexIn.isEmpty()) {
      f.stages.add(new StringIndexer().setInputCols(indexIn.toArray(new String[0])).setOutputCols(indexOut.toArray(new String[0]))
          .setHandleInvalid("keep"));
    }
    if (!imputeIn.isEmpty()) {
      f.stages.add(new Imputer().setInputCols(imputeIn.toArray(new String[0])).setOutputCols(imputeOut.toArray(new String[0]))
          .setStrategy("median"));
    }
    List<String> assembled = new ArrayList<>(indexOut);
    assembled.addAll(imputeOut);
    f.features.addAll(indexIn);
    f.features.addAll(imputed);
    if (!assembled.isEmpty()) {
      f.stages.add(new VectorAssembler().setInputCols(assembled.toArray(new String[0])).setOutputCol(featuresCol));
    }
    return f;
  }

  /** The stages in pipeline order (cast, index, impute, assemble); empty when no column can be a feature. */
  public List<PipelineStage> stages() {
    return List.copyOf(stages);
  }

  /** The stages as one pipeline, to fit on its own. */
  public Pipeline pipeline() {
    return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
  }

  /** The input columns in the feature vector, text ones first, in vector order. */
  public List<String> features() {
    return List.copyOf(features);
  }

  /** Each column left out, with the reason. */
  public List<String> leftOut() {
    return List.copyOf(leftOut);
  }

  /** The trees' maxBins: 32, or more so each category of an indexed column has its own bin. */
  public int maxBins() {
    return maxBins;
  }
}
