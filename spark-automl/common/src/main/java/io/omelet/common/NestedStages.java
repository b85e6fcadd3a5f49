package io.omelet.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLWritable;
import scala.Option;

/**
 * Saving a stage that holds other stages, as Spark's {@code CrossValidatorModel} does: the holder's own
 * Params in {@code metadata/} by {@link DefaultParamsWriter}, each held stage with its own writer in a
 * subfolder, read back by {@link DefaultParamsReader#loadParamsInstance}. Params whose values are stages have
 * no JSON form, so they are left out of the metadata and live in their folders instead.
 */
public final class NestedStages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NestedStages() {}

  /** Writes {@code holder}'s metadata with every set Param but {@code stageParams} (saved in folders). */
  public static void saveParams(Params holder, String path, SparkContext sc, Set<String> stageParams) {
    ObjectNode params = JSON.createObjectNode();
    for (Param<?> p : holder.params()) {
      if (stageParams.contains(p.name()) || !holder.isSet(p)) continue;
      @SuppressWarnings("unchecked")
      Param<Object> po = (Param<Object>) p;
      try {
        params.set(p.name(), JSON.readTree(po.jsonEncode(holder.getOrDefault(po))));
      } catch (IOException e) {
        throw new IllegalStateException("cannot encode param " + p.name() + ": " + e.getMessage(), e);
      }
    }
    DefaultParamsWriter.saveMetadata(holder, path, sc, Option.empty(),
        Option.apply(org.json4s.jackson.JsonMethods$.MODULE$.parse(new org.json4s.StringInput(params.toString()), false, true)));
  }

  /** Saves {@code stage} with its own writer under {@code path/name}; {@code owner} names the holder in errors. */
  public static void save(Object stage, String path, String name, String owner) {
    if (!(stage instanceof MLWritable w)) {
      throw new IllegalStateException("cannot save " + owner + ": its " + name + " (" + stage.getClass().getName()
          + ") is not MLWritable");
    }
    Path dir = new Path(path, name);
    try {
      w.write().save(dir.toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot save " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The stage saved under {@code path/name}, read by its class's own reader. */
  public static <T> T load(String path, String name, SparkContext sc) {
    return DefaultParamsReader.loadParamsInstance(new Path(path, name).toString(), sc);
  }

  /** Whether a stage was saved under {@code path/name} (held stages may be optional). */
  public static boolean exists(String path, String name, SparkContext sc) {
    Path dir = new Path(path, name);
    try {
      return dir.getFileSystem(sc.hadoopConfiguration()).exists(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + dir + ": " + e.getMessage(), e);
    }
  }
}
