package io.omelet.scoring;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * How the columns of an input schema feed a model's features: each feature is matched to a column
 * by name ignoring case, extra columns are ignored, and each value is coerced to what the model
 * expects (a level index for a categorical feature, a double for a numeric one) as it is copied
 * into the model's row array. Made once per schema on the driver; serializable to executors.
 */
public final class FeatureBinding implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How one input value becomes a double in the row array. */
  enum Coercion {
    NUM_DOUBLE, NUM_FLOAT, NUM_INT, NUM_LONG, NUM_SHORT, NUM_BYTE, NUM_DECIMAL, NUM_BOOL,
    NUM_STRING, NUM_DATE, NUM_TIMESTAMP,
    CAT_STRING, CAT_BOOL, CAT_NUMBER_AS_TEXT, CAT_INT
  }

  private final String[] features;
  private final int[] ordinals;
  private final Coercion[] coercions;
  private final DataType[] inputTypes;
  /** Per categorical feature: level bytes to level index (UTF8String keys: no String per cell). */
  private final Map<UTF8String, Integer>[] levels;

  @SuppressWarnings("unchecked")
  private FeatureBinding(String[] features, int[] ordinals, Coercion[] coercions,
                         DataType[] inputTypes, Map<UTF8String, Integer>[] levels) {
    this.features = features;
    this.ordinals = ordinals;
    this.coercions = coercions;
    this.inputTypes = inputTypes;
    this.levels = levels;
  }

  /**
   * Binds {@code schema} to the model's features. Fails with a message naming every feature that
   * has no column, or whose column type cannot be coerced.
   */
  @SuppressWarnings("unchecked")
  public static FeatureBinding bind(StructType schema, MojoModel model) {
    String[] features = model.features();
    Map<String, Integer> byName = new HashMap<>();
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      byName.putIfAbsent(fields[i].name().toLowerCase(Locale.ROOT), i);
    }
    int n = features.length;
    int[] ordinals = new int[n];
    Coercion[] coercions = new Coercion[n];
    DataType[] types = new DataType[n];
    Map<UTF8String, Integer>[] levels = new Map[n];
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
      String[] domain = model.featureDomain(f);
      coercions[f] = domain != null ? categorical(types[f]) : numeric(types[f]);
      if (coercions[f] == null) {
        badType.add(features[f] + " (column " + fields[ord].name() + " is "
            + types[f].simpleString() + ", model expects "
            + (domain != null ? "a categorical" : "a number") + ")");
      }
      if (domain != null) {
        Map<UTF8String, Integer> m = new HashMap<>(domain.length * 2);
        for (int l = 0; l < domain.length; l++) m.put(UTF8String.fromString(domain[l]), l);
        levels[f] = m;
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
    return new FeatureBinding(features, ordinals, coercions, types, levels);
  }

  private static Coercion categorical(DataType t) {
    if (t instanceof StringType) return Coercion.CAT_STRING;
    if (t instanceof BooleanType) return Coercion.CAT_BOOL;
    if (t instanceof IntegerType || t instanceof LongType || t instanceof ShortType
        || t instanceof ByteType) return Coercion.CAT_INT;
    if (t instanceof DoubleType || t instanceof FloatType || t instanceof DecimalType) {
      return Coercion.CAT_NUMBER_AS_TEXT;
    }
    return null;
  }

  private static Coercion numeric(DataType t) {
    if (t instanceof DoubleType) return Coercion.NUM_DOUBLE;
    if (t instanceof FloatType) return Coercion.NUM_FLOAT;
    if (t instanceof IntegerType) return Coercion.NUM_INT;
    if (t instanceof LongType) return Coercion.NUM_LONG;
    if (t instanceof ShortType) return Coercion.NUM_SHORT;
    if (t instanceof ByteType) return Coercion.NUM_BYTE;
    if (t instanceof DecimalType) return Coercion.NUM_DECIMAL;
    if (t instanceof BooleanType) return Coercion.NUM_BOOL;
    if (t instanceof StringType) return Coercion.NUM_STRING;
    if (t instanceof DateType) return Coercion.NUM_DATE;
    if (t instanceof TimestampType || t instanceof TimestampNTZType) return Coercion.NUM_TIMESTAMP;
    return null;
  }

  public String[] features() {
    return features.clone();
  }

  /**
   * The same binding reading each feature from another ordinal of the input row (e.g. where the
   * planner placed the column a SQL argument refers to).
   */
  public FeatureBinding withOrdinals(int[] newOrdinals) {
    if (newOrdinals.length != ordinals.length) {
      throw new IllegalArgumentException("expected " + ordinals.length + " ordinals, got " + newOrdinals.length);
    }
    return new FeatureBinding(features, newOrdinals.clone(), coercions, inputTypes, levels);
  }

  /** The input column ordinal feeding each feature. */
  public int[] ordinals() {
    return ordinals.clone();
  }

  /**
   * Copies one input row into the model's row array: level indexes for categoricals (NaN for a
   * null or a level the model never saw), doubles for numbers (NaN for null), as h2o-genmodel
   * expects them.
   */
  public void fill(InternalRow in, double[] row) {
    for (int f = 0; f < ordinals.length; f++) {
      int o = ordinals[f];
      if (in.isNullAt(o)) {
        row[f] = Double.NaN;
        continue;
      }
      row[f] = switch (coercions[f]) {
        case NUM_DOUBLE -> in.getDouble(o);
        case NUM_FLOAT -> in.getFloat(o);
        case NUM_INT -> in.getInt(o);
        case NUM_LONG -> in.getLong(o);
        case NUM_SHORT -> in.getShort(o);
        case NUM_BYTE -> in.getByte(o);
        case NUM_DECIMAL -> {
          DecimalType dt = (DecimalType) inputTypes[f];
          yield in.getDecimal(o, dt.precision(), dt.scale()).toDouble();
        }
        case NUM_BOOL -> in.getBoolean(o) ? 1.0 : 0.0;
        case NUM_STRING -> parse(in.getUTF8String(o));
        case NUM_DATE -> in.getInt(o) * 86_400_000.0;
        case NUM_TIMESTAMP -> (double) Math.floorDiv(in.getLong(o), 1000L);
        case CAT_STRING -> level(f, in.getUTF8String(o));
        case CAT_BOOL -> level(f, in.getBoolean(o) ? TRUE : FALSE);
        case CAT_INT -> level(f, UTF8String.fromString(Long.toString(longValue(in, o, f))));
        case CAT_NUMBER_AS_TEXT -> level(f, UTF8String.fromString(numberText(in, o, f)));
      };
    }
  }

  private static final UTF8String TRUE = UTF8String.fromString("true");
  private static final UTF8String FALSE = UTF8String.fromString("false");

  private double level(int f, UTF8String s) {
    Integer idx = levels[f].get(s);
    return idx == null ? Double.NaN : idx;
  }

  private long longValue(InternalRow in, int o, int f) {
    DataType t = inputTypes[f];
    if (t instanceof IntegerType) return in.getInt(o);
    if (t instanceof LongType) return in.getLong(o);
    if (t instanceof ShortType) return in.getShort(o);
    return in.getByte(o);
  }

  /** A number as the text a categorical level would have: "3" for 3.0, as Spark casts otherwise. */
  private String numberText(InternalRow in, int o, int f) {
    DataType t = inputTypes[f];
    double d;
    if (t instanceof DecimalType dt) d = in.getDecimal(o, dt.precision(), dt.scale()).toDouble();
    else if (t instanceof FloatType) d = in.getFloat(o);
    else d = in.getDouble(o);
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      String asLong = Long.toString((long) d);
      if (levels[f].containsKey(UTF8String.fromString(asLong))) return asLong;
    }
    return Double.toString(d);
  }

  private static double parse(UTF8String s) {
    try {
      return Double.parseDouble(s.toString().trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
