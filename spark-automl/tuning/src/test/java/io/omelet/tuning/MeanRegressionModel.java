package io.omelet.tuning;

import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@link MeanRegressor}'s model: one number, saved as a text file. A test can make something
 * happen while the tuner saves it ({@link #whileSaving}): the moment just before registration.
 */
public final class MeanRegressionModel extends Model<MeanRegressionModel> implements MLWritable {
  /** Runs inside every save, before the file is written. */
  static volatile Runnable whileSaving = () -> {};

  private final String uid;
  private final double value;

  public MeanRegressionModel(String uid, double value) {
    this.uid = uid;
    this.value = value;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return dataset.toDF().withColumn("prediction", lit(value));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return schema.add("prediction", DataTypes.DoubleType, false);
  }

  @Override
  public MeanRegressionModel copy(ParamMap extra) {
    return copyValues(new MeanRegressionModel(uid, value), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        whileSaving.run();
        Path file = new Path(path, "value.txt");
        try (FSDataOutputStream out = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration()).create(file)) {
          out.write(Double.toString(value).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }
}
