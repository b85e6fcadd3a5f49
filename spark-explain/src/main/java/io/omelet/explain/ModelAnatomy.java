package io.omelet.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What a model (a single Transformer or a PipelineModel) reads and where its predictor sits: the raw
 * input columns it consumes, the predictor stage and the stages that build its feature vector, and
 * which raw column each slot of that vector comes from (so one-hot slots add back up to their
 * source column). Found from the stages' column params, with no job run.
 */
final class ModelAnatomy {
  private static final List<String> INPUT_PARAMS = List.of("inputCol", "inputCols", "featuresCol");
  private static final List<String> OUTPUT_PARAMS =
      List.of("outputCol", "outputCols", "predictionCol", "rawPredictionCol", "probabilityCol", "varianceCol", "leafCol");

  final List<Transformer> stages;
  /** Index in {@link #stages} of the last stage that reads a feature vector, or -1. */
  final int predictorIndex;
  /** Raw input columns read from the caller's data, in order of first use; null when unknown. */
  final List<String> rawInputs;
  /** For every column a stage produces, the raw inputs it derives from. */
  final Map<String, Set<String>> roots;
  /** A stage whose columns could not be read from its params, or null. */
  final String opaqueStage;

  private ModelAnatomy(List<Transformer> stages) {
    this.stages = stages;
    Map<String, Set<String>> produced = new LinkedHashMap<>();
    LinkedHashSet<String> raw = new LinkedHashSet<>();
    int pred = -1;
    String opaque = null;
    for (int i = 0; i < stages.size(); i++) {
      Transformer s = stages.get(i);
      List<String> ins = cols(s, INPUT_PARAMS);
      List<String> outs = cols(s, OUTPUT_PARAMS);
      if (s.hasParam("featuresCol") && !cols(s, List.of("featuresCol")).isEmpty()) pred = i;
      if (ins.isEmpty() && opaque == null) opaque = s.getClass().getSimpleName() + " (" + s.uid() + ")";
      for (String in : ins) if (!produced.containsKey(in)) raw.add(in);
      boolean pairwise = ins.size() == outs.size() && ins.size() > 1 && !s.hasParam("featuresCol");
      for (int o = 0; o < outs.size(); o++) {
        Set<String> r = new LinkedHashSet<>();
        List<String> from = pairwise ? List.of(ins.get(o)) : ins;
        for (String in : from) r.addAll(produced.getOrDefault(in, Set.of(in)));
        produced.put(outs.get(o), r);
      }
    }
    this.predictorIndex = pred;
    this.roots = produced;
    this.opaqueStage = opaque;
    this.rawInputs = opaque == null ? List.copyOf(raw) : null;
  }

  static ModelAnatomy of(Transformer model) {
    List<Transformer> flat = new ArrayList<>();
    flatten(model, flat);
    return new ModelAnatomy(flat);
  }

  private static void flatten(Transformer t, List<Transformer> out) {
    if (t instanceof PipelineModel pm) {
      for (Transformer s : pm.stages()) flatten(s, out);
    } else {
      out.add(t);
    }
  }

  private static List<String> cols(PipelineStage s, List<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (!s.hasParam(n)) continue;
      // inputCol and outputCol have defaults even when a stage runs on inputCols/outputCols: the plural wins.
      if ((n.equals("inputCol") || n.equals("outputCol")) && s.hasParam(n + "s") && s.isSet(s.getParam(n + "s"))) {
        continue;
      }
      Param<Object> p = s.getParam(n);
      if (!s.isDefined(p)) continue;
      Object v = s.getOrDefault(p);
      if (v instanceof String str) {
        if (!str.isEmpty()) out.add(str);
      } else if (v instanceof String[] arr) {
        out.addAll(Arrays.asList(arr));
      }
    }
    return out;
  }

  Transformer predictor() {
    return predictorIndex < 0 ? null : stages.get(predictorIndex);
  }

  String featuresCol() {
    Transformer p = predictor();
    return p == null ? null : cols(p, List.of("featuresCol")).get(0);
  }

  /** The stages before the predictor, as one model (they turn raw columns into the feature vector). */
  PipelineModel featureStages() {
    List<Transformer> before = stages.subList(0, Math.max(predictorIndex, 0));
    return new PipelineModel("omelet_features_" + Integer.toHexString(System.identityHashCode(this)),
        before.toArray(new Transformer[0]));
  }

  /** The raw columns {@code col} derives from (itself when no stage produces it). */
  Set<String> rootsOf(String col) {
    return roots.getOrDefault(col, Set.of(col));
  }

  /** The class name for {@code classIndex} when a StringIndexer in the model indexed the predictor's label. */
  String className(int classIndex) {
    Transformer p = predictor();
    if (p == null || !p.hasParam("labelCol")) return null;
    String label = (String) p.getOrDefault(p.getParam("labelCol"));
    for (Transformer s : stages) {
      if (s instanceof StringIndexerModel sim && cols(s, List.of("outputCol")).contains(label)) {
        String[] labels = sim.labelsArray()[0];
        if (classIndex >= 0 && classIndex < labels.length) return labels[classIndex];
      }
    }
    return null;
  }

  /** The assembler that builds the predictor's feature vector, or null. */
  VectorAssembler assembler() {
    String fc = featuresCol();
    VectorAssembler found = null;
    for (int i = 0; i < predictorIndex; i++) {
      if (stages.get(i) instanceof VectorAssembler va && va.getOutputCol().equals(fc)) found = va;
    }
    return found;
  }

  /**
   * The features an explanation reports, found without data: the raw columns behind the assembler's
   * inputs in assembler order (a string column once, however many one-hot slots it has); else the
   * raw inputs the stages read (without the predictor's own vector input). Null when unknown.
   */
  List<String> explainedFeatures() {
    VectorAssembler va = assembler();
    if (va != null) {
      LinkedHashSet<String> names = new LinkedHashSet<>();
      for (String in : va.getInputCols()) names.add(String.join("+", rootsOf(in)));
      return List.copyOf(names);
    }
    // A bare predictor reads one vector column: its slots are the features, known from the data only.
    if (rawInputs == null || predictorIndex == 0) return null;
    return rawInputs;
  }

  /**
   * Maps every slot of the predictor's feature vector to an explained feature: slots assembled from
   * one raw column (a number, or the one-hot slots of a string column) map to that column. Needs the
   * data only when a vector column's size is not in its schema metadata.
   */
  SlotMap slotMap(Dataset<Row> featurized, int numSlots) {
    String fc = featuresCol();
    StructType schema = featurized.schema();
    VectorAssembler assembler = assembler();
    List<String> features = new ArrayList<>();
    int[] slotFeature = new int[numSlots];
    if (assembler == null) {
      // A prebuilt vector: every slot is its own feature, named from its attribute when there is one.
      AttributeGroup g = AttributeGroup.fromStructField(schema.apply(fc));
      for (int s = 0; s < numSlots; s++) {
        String name = g.attributes().isDefined() && g.getAttr(s).name().isDefined()
            ? g.getAttr(s).name().get() : fc + "[" + s + "]";
        features.add(name);
        slotFeature[s] = s;
      }
      return new SlotMap(features, slotFeature);
    }
    Row first = null;
    int slot = 0;
    for (String in : assembler.getInputCols()) {
      StructField f = schema.apply(in);
      int size;
      if (f.dataType() instanceof NumericType || f.dataType().typeName().equals("boolean")) {
        size = 1;
      } else if (f.dataType() instanceof VectorUDT) {
        size = AttributeGroup.fromStructField(f).size();
        if (size < 0) {
          if (first == null) first = featurized.select(assembler.getInputCols()[0],
              Arrays.copyOfRange(assembler.getInputCols(), 1, assembler.getInputCols().length)).first();
          size = ((Vector) first.getAs(in)).size();
        }
      } else {
        throw new IllegalArgumentException("assembler input column '" + in + "' has type " + f.dataType().simpleString()
            + "; expected a number or a vector");
      }
      String name = String.join("+", rootsOf(in));
      int idx = features.indexOf(name);
      if (idx < 0) {
        features.add(name);
        idx = features.size() - 1;
      }
      for (int k = 0; k < size; k++) slotFeature[slot++] = idx;
    }
    if (slot != numSlots) {
      throw new IllegalStateException("the assembler '" + fc + "' builds " + slot + " slots but the model reads "
          + numSlots);
    }
    return new SlotMap(features, slotFeature);
  }

  /** Which explained feature every vector slot belongs to. */
  record SlotMap(List<String> features, int[] slotFeature) implements java.io.Serializable {}
}
