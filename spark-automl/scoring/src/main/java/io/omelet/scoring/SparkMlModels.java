package io.omelet.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Registered models saved by Spark ML's own writers (a folder with {@code metadata/}, as
 * {@code OmeletTuner} registers them) rather than as H2O MOJOs: recognised, loaded by the class their
 * metadata names, and scored into the same shape as a MOJO's scoring: the input columns, then
 * {@code prediction} (the class label when the pipeline ends with an {@link IndexToString}) and one
 * {@code p_<class>} column per class of a classifier's probability vector.
 */
public final class SparkMlModels {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SparkMlModels() {}

  /** Whether {@code location} holds a model saved by a Spark ML writer. */
  public static boolean isSparkMl(Configuration conf, String location) {
    try {
      Path p = new Path(location, "metadata");
      return p.getFileSystem(conf).isDirectory(p);
    } catch (IOException e) {
      return false;
    }
  }

  /** The model class its metadata names, e.g. {@code org.apache.spark.ml.PipelineModel}. */
  public static String className(Configuration conf, String location) {
    Path meta = new Path(location, "metadata");
    try {
      FileSystem fs = meta.getFileSystem(conf);
      for (FileStatus s : fs.listStatus(meta)) {
        if (!s.isFile() || !s.getPath().getName().startsWith("part-")) continue;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(s.getPath()), StandardCharsets.UTF_8))) {
          String line = r.readLine();
          JsonNode cls = line == null ? null : JSON.readTree(line).get("class");
          if (cls != null) return cls.asText();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the Spark ML metadata at " + meta + ": " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("the Spark ML metadata at " + meta + " names no model class");
  }

  /** Loads the model with its own class's {@code load(path)}, as {@code CrossValidatorModel.load} does. */
  public static Transformer load(Configuration conf, String location) {
    String cls = className(conf, location);
    try {
      Object m = Class.forName(cls).getMethod("load", String.class).invoke(null, location);
      if (!(m instanceof Transformer t)) throw new IllegalArgumentException(cls + " at " + location + " is not a Spark ML model");
      return t;
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      throw new IllegalArgumentException("the model at " + location + " is a " + cls
          + ", which this class path cannot load: " + e.getMessage(), e);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      Throwable c = e.getCause();
      throw new IllegalArgumentException("cannot load the " + cls + " at " + location + ": " + c.getMessage(), c);
    }
  }

  /**
   * Scores {@code rows}: their own columns, {@code prediction} and, for a classifier, {@code p_<class>}.
   * The pipeline's working columns (indexed, imputed, assembled, raw) are left out.
   */
  public static Dataset<Row> score(Transformer model, Dataset<Row> rows) {
    Dataset<Row> out = model.transform(rows);
    List<String> outCols = Arrays.asList(out.columns());
    List<Column> cols = new ArrayList<>();
    for (String c : rows.columns()) cols.add(out.col("`" + c + "`"));
    String[] labels = null;
    String predicted = "prediction";
    if (model instanceof PipelineModel pm && pm.stages().length > 0
        && pm.stages()[pm.stages().length - 1] instanceof IndexToString its) {
      labels = its.getLabels();
      predicted = its.getOutputCol();
    }
    if (!outCols.contains(predicted)) {
      throw new IllegalArgumentException("the model made no '" + predicted + "' column; it made " + String.join(", ", outCols));
    }
    cols.add(out.col("`" + predicted + "`").as("prediction"));
    if (outCols.contains("probability")) {
      Column p = org.apache.spark.ml.functions.vector_to_array(out.col("probability"), "float64");
      int classes = labels != null ? labels.length : probabilitySize(out);
      for (int i = 0; i < classes; i++) {
        cols.add(functions.element_at(p, i + 1).as("p_" + (labels != null ? labels[i] : Integer.toString(i))));
      }
    }
    return out.select(cols.toArray(new Column[0]));
  }

  /** Without class labels, the vector's size is read off the first row (no row, no columns). */
  private static int probabilitySize(Dataset<Row> out) {
    Row[] first = (Row[]) out.select("probability").take(1);
    return first.length == 0 ? 0 : first[0].<org.apache.spark.ml.linalg.Vector>getAs(0).size();
  }
}
