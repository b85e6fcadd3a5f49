package io.omelet.inference;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import io.omelet.common.FeatureCodec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of one model's inference table and how a served row fills them. Fixed columns come
 * first, then one column per feature typed as the model takes it (double for a numeric feature,
 * string for a categorical one), then the outputs and the request's outcome. A feature whose name
 * is taken (case-insensitively, as Spark resolves names) by a fixed column or an earlier feature
 * gets the column {@code feature_<name>}.
 */
public final class InferenceSchema {
  public static final String REQUEST_ID = "request_id";
  public static final String ROW_INDEX = "row_index";
  public static final String TIMESTAMP = "timestamp";
  public static final String MODEL_NAME = "model_name";
  public static final String MODEL_VERSION = "model_version";
  public static final String MODEL_ALIAS = "model_alias";
  public static final String EXTRA_FEATURES = "extra_features";
  public static final String PREDICTION = "prediction";
  public static final String PROBABILITIES = "probabilities";
  public static final String LATENCY_US = "latency_us";
  public static final String STATUS = "status";
  public static final String ERROR = "error";
  public static final String SAMPLE_FRACTION = "sample_fraction";
  public static final String LABEL = "label";

  private static final List<String> LEADING = List.of(REQUEST_ID, ROW_INDEX, TIMESTAMP, MODEL_NAME, MODEL_VERSION, MODEL_ALIAS);
  private static final List<String> TRAILING = List.of(EXTRA_FEATURES, PREDICTION, PROBABILITIES, LATENCY_US, STATUS,
      ERROR, SAMPLE_FRACTION, LABEL);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Object NOT_COERCIBLE = new Object();

  private final FeatureCodec codec;
  private final boolean classifier;
  private final String[] featureColumns;
  private final StructType struct;

  private InferenceSchema(FeatureCodec codec, boolean classifier) {
    this.codec = codec;
    this.classifier = classifier;
    this.featureColumns = featureColumns(codec);
    DataType outcome = classifier ? StringType : DoubleType;
    List<StructField> fields = new ArrayList<>();
    fields.add(field(REQUEST_ID, StringType, false));
    fields.add(field(ROW_INDEX, IntegerType, true));
    fields.add(field(TIMESTAMP, TimestampType, false));
    fields.add(field(MODEL_NAME, StringType, false));
    fields.add(field(MODEL_VERSION, IntegerType, true));
    fields.add(field(MODEL_ALIAS, StringType, true));
    for (int f = 0; f < codec.size(); f++) {
      fields.add(field(featureColumns[f], codec.categorical(f) ? StringType : DoubleType, true));
    }
    fields.add(field(EXTRA_FEATURES, StringType, true));
    fields.add(field(PREDICTION, outcome, true));
    fields.add(field(PROBABILITIES, DataTypes.createMapType(StringType, DoubleType, false), true));
    fields.add(field(LATENCY_US, LongType, false));
    fields.add(field(STATUS, IntegerType, false));
    fields.add(field(ERROR, StringType, true));
    fields.add(field(SAMPLE_FRACTION, DoubleType, false));
    fields.add(field(LABEL, outcome, true));
    this.struct = new StructType(fields.toArray(new StructField[0]));
  }

  /** The table's columns for a model taking {@code codec}'s features; outputs typed for a classifier or regression. */
  public static InferenceSchema of(FeatureCodec codec, boolean classifier) {
    return new InferenceSchema(codec, classifier);
  }

  public StructType struct() {
    return struct;
  }

  public boolean classifier() {
    return classifier;
  }

  /** The column that holds feature {@code f}: its name, or {@code feature_<name>} when that is taken. */
  public String featureColumn(int f) {
    return featureColumns[f];
  }

  /** Whether {@code column} is one of the columns every inference table has (not a feature). */
  static boolean fixedColumn(String column) {
    String c = column.toLowerCase(Locale.ROOT);
    return LEADING.contains(c) || TRAILING.contains(c);
  }

  private static String[] featureColumns(FeatureCodec codec) {
    Set<String> taken = new HashSet<>(LEADING);
    taken.addAll(TRAILING);
    String[] names = new String[codec.size()];
    String[] features = codec.features();
    for (int f = 0; f < names.length; f++) {
      String name = features[f];
      while (!taken.add(name.toLowerCase(Locale.ROOT))) name = "feature_" + name;
      names[f] = name;
    }
    return names;
  }

  /**
   * The table row for {@code r}. Input fields the model does not take, a second field naming a
   * feature already filled (names match ignoring case, as the server matches them), and values
   * the feature cannot take (the reason a 422 was answered) go to {@code extra_features} as they
   * were sent, so the row keeps everything the client sent.
   *
   * @param javaTime whether the session reads timestamps as {@code Instant}
   *     ({@code spark.sql.datetime.java8API.enabled}) rather than {@code java.sql.Timestamp}
   */
  Row toRow(InferenceRecord r, double sampleFraction, boolean javaTime) {
    Object[] values = new Object[struct.size()];
    int i = 0;
    values[i++] = r.requestId();
    values[i++] = r.rowIndex();
    values[i++] = javaTime ? r.timestamp() : Timestamp.from(r.timestamp());
    values[i++] = r.modelName();
    values[i++] = r.modelVersion();
    values[i++] = r.modelAlias();
    int firstFeature = i;
    ObjectNode extra = fillFeatures(r.input(), values, firstFeature);
    i += codec.size();
    values[i++] = extra == null ? null : extra.toString();
    values[i++] = outcome(r.prediction());
    values[i++] = classifier ? r.probabilities() : null;
    values[i++] = r.latencyMicros();
    values[i++] = r.status();
    values[i++] = r.error();
    values[i++] = sampleFraction;
    values[i] = null; // label: merged later from the ground truth
    return RowFactory.create(values);
  }

  /** Fills the feature columns from the input's fields; returns the fields left over, or null when none. */
  private ObjectNode fillFeatures(JsonNode input, Object[] values, int offset) {
    if (input == null) return null;
    ObjectNode extra = null;
    boolean[] filled = new boolean[codec.size()];
    for (Iterator<Map.Entry<String, JsonNode>> it = input.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int f = codec.indexOf(e.getKey());
      boolean kept = false;
      if (f >= 0 && !filled[f]) {
        filled[f] = true;
        Object value = featureValue(f, e.getValue());
        kept = value != NOT_COERCIBLE;
        values[offset + f] = kept ? value : null;
      }
      if (!kept) {
        if (extra == null) extra = JSON.createObjectNode();
        extra.set(e.getKey(), e.getValue());
      }
    }
    return extra;
  }

  /**
   * A field's value as its column holds it: the number the model scores (dates as epoch
   * milliseconds, as {@link FeatureCodec} reads them), or the level's text as sent; null for
   * missing; {@link #NOT_COERCIBLE} when the feature cannot take it.
   */
  private Object featureValue(int f, JsonNode v) {
    if (v == null || v.isNull()) return null;
    if (codec.categorical(f)) {
      if (v.isTextual()) return v.textValue();
      return v.isBoolean() || v.isNumber() ? v.asText() : NOT_COERCIBLE;
    }
    try {
      double d = codec.fromJson(f, v);
      return Double.isNaN(d) ? null : d;
    } catch (FeatureCodec.NotCoercible e) {
      return NOT_COERCIBLE;
    }
  }

  /** Refuses a record whose prediction the table cannot hold: a label for a regression model. */
  void check(InferenceRecord r) {
    if (!classifier && r.prediction() != null && !(r.prediction() instanceof Number)) {
      throw new IllegalArgumentException("a regression model's prediction must be a number, got the label '"
          + r.prediction() + "' (request " + r.requestId() + ")");
    }
  }

  private Object outcome(Object prediction) {
    if (prediction == null) return null;
    return classifier ? prediction.toString() : ((Number) prediction).doubleValue();
  }

  private static StructField field(String name, DataType type, boolean nullable) {
    return DataTypes.createStructField(name, type, nullable);
  }
}
