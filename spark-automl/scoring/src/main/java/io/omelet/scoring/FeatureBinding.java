package io.omelet.scoring;

import io.omelet.common.FeatureCodec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How the columns of an input schema feed a model's features: each feature is matched to a column
 * by name ignoring case, extra columns are ignored, and each value is coerced by the model's
 * {@link FeatureCodec} as it is copied into the model's row array; a value the codec refuses goes
 * to the {@link CoercionPolicy}. Made once per schema on the driver; serializable to executors.
 */
public final class FeatureBinding implements Serializable {
  private static final long serialVersionUID = 2L;

  private final FeatureCodec codec;
  private final int[] ordinals;
  private final FeatureCodec.SparkKind[] kinds;
  private final DataType[] inputTypes;
  private final String[] columns;
  private final CoercionPolicy policy;

  private FeatureBinding(FeatureCodec codec, int[] ordinals, FeatureCodec.SparkKind[] kinds,
                         DataType[] inputTypes, String[] columns, CoercionPolicy policy) {
    this.codec = codec;
    this.ordinals = ordinals;
    this.kinds = kinds;
    this.inputTypes = inputTypes;
    this.columns = columns;
    this.policy = policy;
  }

  /**
   * Binds {@code schema} to the model's features. Fails with a message naming every feature that
   * has no column, or whose column type cannot be coerced.
   */
  public static FeatureBinding bind(StructType schema, MojoModel model) {
    return bind(schema, model.codec());
  }

  /** As {@link #bind(StructType, MojoModel)} for a codec; lenient and uncounted until {@link #withPolicy}. */
  public static FeatureBinding bind(StructType schema, FeatureCodec codec) {
    String[] features = codec.features();
    Map<String, Integer> byName = new HashMap<>();
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      byName.putIfAbsent(fields[i].name().toLowerCase(Locale.ROOT), i);
    }
    int n = features.length;
    int[] ordinals = new int[n];
    FeatureCodec.SparkKind[] kinds = new FeatureCodec.SparkKind[n];
    DataType[] types = new DataType[n];
    String[] columns = new String[n];
    List<String> missing = new ArrayList<>();
    List<String> badType = new ArrayList<>();
    for (int f = 0; f < n; f++) {
      Integer ord = byName.get(features[f].toLowerCase(Locale.ROOT));
      if (ord == null) {
        missing.add(features[f]);
        continue;
      }
      ordinals[f] = ord;
      types[f] = fields[ord].dataType();
      columns[f] = fields[ord].name();
      kinds[f] = FeatureCodec.SparkKind.of(types[f]);
      if (!codec.accepts(f, kinds[f])) {
        badType.add(features[f] + " (column " + fields[ord].name() + " is "
            + types[f].simpleString() + ", model expects "
            + (codec.categorical(f) ? "a categorical" : "a number") + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("missing feature column(s) " + String.join(", ", missing)
          + ": the model needs " + String.join(", ", features)
          + " (matched by name, ignoring case); the input has " + String.join(", ", schema.fieldNames()));
    }
    if (!badType.isEmpty()) {
      throw new IllegalArgumentException("feature column type(s) that cannot be coerced: "
          + String.join("; ", badType));
    }
    return new FeatureBinding(codec, ordinals, kinds, types, columns, CoercionPolicy.UNCOUNTED);
  }

  /** The same binding with a query's policy for values that cannot be coerced. */
  public FeatureBinding withPolicy(CoercionPolicy newPolicy) {
    return new FeatureBinding(codec, ordinals, kinds, inputTypes, columns, newPolicy);
  }

  CoercionPolicy policy() {
    return policy;
  }

  public String[] features() {
    return codec.features();
  }

  /**
   * The same binding reading each feature from another ordinal of the input row (e.g. where the
   * planner placed the column a SQL argument refers to).
   */
  public FeatureBinding withOrdinals(int[] newOrdinals) {
    if (newOrdinals.length != ordinals.length) {
      throw new IllegalArgumentException("expected " + ordinals.length + " ordinals, got " + newOrdinals.length);
    }
    return new FeatureBinding(codec, newOrdinals.clone(), kinds, inputTypes, columns, policy);
  }

  /** The input column ordinal feeding each feature. */
  public int[] ordinals() {
    return ordinals.clone();
  }

  /**
   * Copies one input row into the model's row array as {@link FeatureCodec} coerces it (level
   * indexes for categoricals, doubles for numbers, NaN for missing), as h2o-genmodel expects it.
   */
  public void fill(InternalRow in, double[] row) {
    for (int f = 0; f < ordinals.length; f++) {
      try {
        row[f] = codec.fromSpark(f, in, ordinals[f], kinds[f], inputTypes[f]);
      } catch (FeatureCodec.NotCoercible e) {
        policy.refuse(codec.features()[f], columns[f], inputTypes[f].simpleString(), e);
        row[f] = Double.NaN;
      }
    }
  }
}
