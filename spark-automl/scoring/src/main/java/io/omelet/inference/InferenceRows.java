package io.omelet.inference;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

import io.omelet.common.FeatureCodec;
import io.omelet.scoring.LoadedModel;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.MojoScorer;
import io.omelet.scoring.OmeletPredict;
import io.omelet.scoring.ScoringColumns;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
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
import scala.collection.JavaConverters;

/**
 * Rows scored by Spark (a {@link MojoScorer}'s output, {@code omelet predict}, or a query with
 * {@code omelet_predict}) as the model's {@link InferenceTable} keeps them: built with Spark
 * column expressions, lazily, so the rows go from the executors to the table and never through
 * the driver. {@link #appendTo} writes them as one Delta commit.
 *
 * <p>Each row of one job (one append, one streaming micro-batch):
 * <ul>
 *   <li>{@code request_id}: the job's id, a dash and a number unique in the job (Spark's
 *       {@code monotonically_increasing_id}: not consecutive); every row is its own request, so
 *       {@code row_index} is 0, as for a one-row REST body; {@code request_id LIKE '<job>-%'}
 *       finds a job's rows;</li>
 *   <li>{@code timestamp}: the job's time, the same for every row of the job;</li>
 *   <li>{@code model_name}, {@code model_version}, {@code model_alias}: the registered version that
 *       scored the rows, and the alias it was resolved through ({@code churn@champion}), else null;</li>
 *   <li>one column per feature, from the input column of the same name (ignoring case, the first
 *       one, as scoring binds them), typed as the model takes it: a numeric feature as the double
 *       the model scored ({@link FeatureCodec}'s rules: a date or timestamp as epoch milliseconds,
 *       a boolean as 1 or 0, text parsed), a categorical one as the level's text; a text value a
 *       numeric feature cannot take (scored as missing) is null there and kept as it was in
 *       {@code extra_features};</li>
 *   <li>{@code extra_features}: the other input columns as one JSON object (what was scored is
 *       kept, e.g. a customer id to join labels on later), without the columns scoring added and
 *       without null values; null when nothing is left;</li>
 *   <li>{@code prediction} and, for a classifier, {@code probabilities} (label to probability),
 *       from the scorer's output;</li>
 *   <li>{@code latency_us} 0 (a batch has no per-request latency: the job's time per row is in
 *       Spark's metrics), {@code status} 200, {@code error} null, {@code sample_fraction} 1.0
 *       (every scored row is kept), {@code label} null.</li>
 * </ul>
 */
public final class InferenceRows {
  private static final Map<String, String> JSON_OPTIONS = Map.of("ignoreNullFields", "true");

  /** Text for a numeric feature: the number, null when missing, NaN when the feature cannot take it. */
  private static final UserDefinedFunction PARSE_NUMBER = udf((UDF1<String, Double>) s -> {
    if (s == null) return null;
    try {
      double d = FeatureCodec.parseNumber(s);
      return Double.isNaN(d) ? null : d;
    } catch (FeatureCodec.NotCoercible e) {
      return Double.NaN;
    }
  }, DataTypes.DoubleType);

  /** A timestamp without time zone as epoch milliseconds of that wall time in UTC, as {@link FeatureCodec} reads it. */
  private static final UserDefinedFunction NTZ_MILLIS = udf(
      (UDF1<LocalDateTime, Double>) t -> t == null ? null : (double) t.toInstant(ZoneOffset.UTC).toEpochMilli(),
      DataTypes.DoubleType);

  private final Dataset<Row> rows;
  private final LoadedModel model;
  private final InferenceSchema schema;
  private final String jobId;
  private final Instant time;

  private InferenceRows(Dataset<Row> rows, LoadedModel model, InferenceSchema schema, String jobId, Instant time) {
    this.rows = rows;
    this.model = model;
    this.schema = schema;
    this.jobId = jobId;
    this.time = time;
  }

  // ------------------------------------------------------------ sources

  /**
   * The rows {@code scorer} scored: {@code scored} is (or is derived from, keeping its columns)
   * {@code scorer.transform(input)}, and the model is the one the scorer's last transform resolved
   * ({@link MojoScorer#lastModel()}): call this after the transform that made {@code scored},
   * before the scorer transforms anything else.
   */
  public static InferenceRows of(Dataset<Row> scored, MojoScorer scorer) {
    LoadedModel m = scorer.lastModel().orElseThrow(() -> new IllegalArgumentException(
        "the scorer has no registered model: a MojoScorer built on a MOJO (MojoScorer.of) has no model name,"
            + " and inference tables are per registered model; use setModelUri(\"name@alias\") and transform first"));
    return of(scored, m, scorer.scoringColumns(), newJobId(), Instant.now());
  }

  /** The rows of {@code scored}, scored by {@code model} with a MojoScorer's {@code columns}. */
  public static InferenceRows of(Dataset<Row> scored, LoadedModel model, ScoringColumns columns) {
    return of(scored, model, columns, newJobId(), Instant.now());
  }

  /** As {@link #of(Dataset, LoadedModel, ScoringColumns)} for the job {@code jobId} at {@code time}. */
  public static InferenceRows of(Dataset<Row> scored, LoadedModel model, ScoringColumns columns, String jobId,
      Instant time) {
    requireRegistered(model);
    MojoModel mojo = model.mojo();
    StructType in = scored.schema();
    int prediction = require(in, columns.predictionCol(), "the prediction column");
    Set<String> added = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    added.add(columns.predictionCol());
    Integer vector = null;
    Map<String, Integer> perClass = new LinkedHashMap<>();
    if (mojo.isClassifier()) {
      if (columns.probabilityCol() != null && index(in, columns.probabilityCol()) >= 0) {
        vector = index(in, columns.probabilityCol());
        added.add(columns.probabilityCol());
      }
      if (columns.classProbabilityPrefix() != null) {
        for (String label : mojo.responseDomain()) {
          int i = index(in, columns.classProbabilityPrefix() + label);
          if (i >= 0) {
            perClass.put(label, i);
            added.add(columns.classProbabilityPrefix() + label);
          }
        }
      }
    }
    Integer probabilityVector = vector;
    Outcome outcome = c -> {
      Column predicted = c[prediction];
      Column probabilities = null;
      if (mojo.isClassifier()) {
        if (probabilityVector != null && in.fields()[probabilityVector].dataType().equals(SQLDataTypes.VectorType())) {
          probabilities = map_from_arrays(labels(mojo), org.apache.spark.ml.functions.vector_to_array(c[probabilityVector], "float64"));
        } else if (perClass.size() == mojo.responseDomain().length) {
          List<Column> values = new ArrayList<>();
          for (int i : perClass.values()) values.add(c[i].cast(DataTypes.DoubleType));
          probabilities = map_from_arrays(labels(mojo), array(values.toArray(new Column[0])));
        }
      }
      return new Column[] {predicted, probabilities};
    };
    return build(scored, model, added, outcome, jobId, time);
  }

  /**
   * The rows of a query scored by {@code omelet_predict}: {@code predictionColumn} names the
   * function's result ({@code SELECT *, omelet_predict('churn@champion', *) AS p FROM t} gives
   * {@code "p"}), and the registered version is the one the query resolved when it was analysed,
   * read from its plan, so the rows name exactly the version that scored them.
   *
   * @throws IllegalArgumentException when the column is not {@code omelet_predict}'s result, or the
   *     query scores with a run artifact ({@code runs:/...}) rather than a registered model
   */
  public static InferenceRows ofPredictions(Dataset<Row> scored, String predictionColumn) {
    if (scored.isStreaming()) {
      throw new IllegalArgumentException("ofPredictions takes a batch DataFrame; write a streaming query's scores"
          + " with writeStream().foreachBatch(InferenceStream.writer(root, scored, \"" + predictionColumn + "\"))");
    }
    return ofPredictions(scored, predictionColumn, modelOf(scored, predictionColumn), newJobId(), Instant.now());
  }

  /** As {@link #ofPredictions(Dataset, String)} with the model given (e.g. read from a streaming query's plan). */
  static InferenceRows ofPredictions(Dataset<Row> scored, String predictionColumn, LoadedModel model, String jobId,
      Instant time) {
    requireRegistered(model);
    StructType in = scored.schema();
    int p = predictionColumn(in, predictionColumn, model);
    Set<String> added = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    added.add(in.fields()[p].name());
    boolean classifier = model.mojo().isClassifier();
    Outcome outcome = c -> new Column[] {c[p].getField(OmeletPredict.PREDICTION),
        classifier ? c[p].getField(OmeletPredict.PROBABILITIES) : null};
    return build(scored, model, added, outcome, jobId, time);
  }

  /** The position of {@code column} in {@code in}, checked to be {@code omelet_predict}'s result for {@code model}. */
  static int predictionColumn(StructType in, String column, LoadedModel model) {
    int p = require(in, column, "omelet_predict's column");
    StructType expected = OmeletPredict.resultType(model.mojo());
    if (!(in.fields()[p].dataType() instanceof StructType got) || !sameFields(got, expected)) {
      throw new IllegalArgumentException("column '" + column + "' is " + in.fields()[p].dataType().simpleString()
          + ", not omelet_predict's result for " + model.describe() + " (" + expected.simpleString() + ")");
    }
    return p;
  }

  /**
   * The model whose {@code omelet_predict} produced {@code column} of {@code scored}, from the
   * query's analysed plan: the one model the plan scores with, or else the one behind the column's
   * own expression.
   */
  static LoadedModel modelOf(Dataset<Row> scored, String column) {
    LogicalPlan plan = scored.queryExecution().analyzed();
    Map<String, LoadedModel> models = new LinkedHashMap<>();
    Map<ExprId, Expression> aliases = new HashMap<>();
    plan.foreach(node -> {
      node.expressions().foreach(e -> {
        e.foreach(x -> {
          if (x instanceof OmeletPredict f) models.putIfAbsent(f.mojo().key() + " " + f.modelDescription(), f.model());
          if (x instanceof Alias a) aliases.put(a.exprId(), a.child());
          return null;
        });
        return null;
      });
      return null;
    });
    if (models.isEmpty()) {
      throw new IllegalArgumentException("the query scores with no omelet_predict: cannot tell which model's inference"
          + " table column '" + column + "' belongs to");
    }
    if (models.size() == 1) return models.values().iterator().next();
    // several models: follow the column back through aliases to the function that made it
    Attribute out = null;
    for (Attribute a : JavaConverters.seqAsJavaList(plan.output())) {
      if (a.name().equalsIgnoreCase(column)) out = a;
    }
    Expression e = out == null ? null : aliases.get(out.exprId());
    for (int hops = 0; e != null && hops < 100; hops++) {
      if (e instanceof OmeletPredict f) return f.model();
      e = e instanceof AttributeReference r ? aliases.get(r.exprId()) : null;
    }
    throw new IllegalArgumentException("the query scores with " + models.size() + " models ("
        + String.join(", ", models.values().stream().map(LoadedModel::describe).toList())
        + ") and column '" + column + "' is not one function's result: select it as omelet_predict(...) AS "
        + column);
  }

  // ------------------------------------------------------------ what it holds

  /** The rows in the model's inference table columns (lazy: nothing has run). */
  public Dataset<Row> rows() {
    return rows;
  }

  /** The registered version that scored the rows. */
  public LoadedModel model() {
    return model;
  }

  public InferenceSchema schema() {
    return schema;
  }

  /** The job's id: every row's {@code request_id} starts with it and a dash. */
  public String jobId() {
    return jobId;
  }

  /** The job's time, every row's {@code timestamp}. */
  public Instant time() {
    return time;
  }

  /**
   * Appends the rows to their model's table under {@code registryRoot} (opening it, creating it or
   * adding new features' columns first): one Delta commit, so a job's rows appear all together or
   * not at all. This runs the scoring.
   */
  public InferenceTable.Appended appendTo(String registryRoot) {
    MojoModel mojo = model.mojo();
    InferenceTable table = InferenceTable.open(rows.sparkSession(), registryRoot, model.resolved().name(), mojo.codec(),
        mojo.isClassifier());
    return table.append(this);
  }

  // ------------------------------------------------------------ the mapping

  /** The prediction and probabilities columns (null when there are none) over the input's columns. */
  @FunctionalInterface
  private interface Outcome {
    Column[] columns(Column[] input);
  }

  private static InferenceRows build(Dataset<Row> scored, LoadedModel model, Set<String> outputs, Outcome outcome,
      String jobId, Instant time) {
    Objects.requireNonNull(jobId, "jobId");
    // the table keeps microseconds: the job's time is what its rows say
    time = Objects.requireNonNull(time, "time").truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    MojoModel mojo = model.mojo();
    FeatureCodec codec = mojo.codec();
    InferenceSchema schema = InferenceSchema.of(codec, mojo.isClassifier());
    StructField[] fields = scored.schema().fields();
    // columns by position: input names may repeat (ignoring case) or need quoting
    String[] positional = new String[fields.length];
    for (int i = 0; i < fields.length; i++) positional[i] = "c" + i;
    Dataset<Row> input = scored.toDF(positional);
    Column[] c = new Column[fields.length];
    for (int i = 0; i < fields.length; i++) c[i] = input.col(positional[i]);

    Map<String, Integer> firstByName = new HashMap<>();
    for (int i = 0; i < fields.length; i++) firstByName.putIfAbsent(fields[i].name().toLowerCase(Locale.ROOT), i);
    int[] featureAt = new int[fields.length];
    java.util.Arrays.fill(featureAt, -1);
    List<String> missing = new ArrayList<>();
    for (int f = 0; f < codec.size(); f++) {
      Integer i = firstByName.get(codec.features()[f].toLowerCase(Locale.ROOT));
      if (i == null) missing.add(codec.features()[f]);
      else featureAt[i] = f;
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("the scored rows have no column for feature(s) " + String.join(", ", missing)
          + " of " + model.describe() + ": give the rows as they were scored (columns " + String.join(", ",
          scored.columns()) + ")");
    }

    Map<String, Column> out = new HashMap<>();
    List<Column> extra = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      if (outputs.contains(fields[i].name())) continue;
      int f = featureAt[i];
      if (f < 0) {
        extra.add(c[i].as(fields[i].name()));
        continue;
      }
      DataType t = fields[i].dataType();
      if (codec.categorical(f)) {
        out.put(schema.featureColumn(f), levelText(c[i], t, mojo.featureDomain(f)));
      } else if (t instanceof StringType) {
        Column parsed = PARSE_NUMBER.apply(c[i]);
        out.put(schema.featureColumn(f), when(isnan(parsed), lit(null)).otherwise(parsed));
        // text the feature cannot take was scored as missing: the table keeps it as it came
        extra.add(when(isnan(parsed), c[i]).as(fields[i].name()));
      } else {
        out.put(schema.featureColumn(f), number(c[i], t));
      }
    }
    Column[] o = outcome.columns(c);
    boolean classifier = mojo.isClassifier();
    DataType outcomeType = classifier ? DataTypes.StringType : DataTypes.DoubleType;
    out.put(InferenceSchema.REQUEST_ID, concat(lit(jobId + "-"), monotonically_increasing_id().cast(DataTypes.StringType)));
    out.put(InferenceSchema.ROW_INDEX, lit(0));
    out.put(InferenceSchema.TIMESTAMP, lit(Timestamp.from(time)));
    out.put(InferenceSchema.MODEL_NAME, lit(model.resolved().name()));
    out.put(InferenceSchema.MODEL_VERSION, lit(model.resolved().version()).cast(DataTypes.IntegerType));
    out.put(InferenceSchema.MODEL_ALIAS, lit(model.resolved().alias()).cast(DataTypes.StringType));
    out.put(InferenceSchema.EXTRA_FEATURES, extra.isEmpty() ? lit(null)
        : nullif(to_json(struct(extra.toArray(new Column[0])), JSON_OPTIONS), lit("{}")));
    out.put(InferenceSchema.PREDICTION, o[0].cast(outcomeType));
    out.put(InferenceSchema.PROBABILITIES, o[1]);
    out.put(InferenceSchema.LATENCY_US, lit(0L));
    out.put(InferenceSchema.STATUS, lit(200));
    out.put(InferenceSchema.ERROR, lit(null));
    out.put(InferenceSchema.SAMPLE_FRACTION, lit(1.0));
    out.put(InferenceSchema.LABEL, lit(null));

    List<Column> select = new ArrayList<>();
    for (StructField f : schema.struct().fields()) {
      Column v = out.get(f.name());
      if (v == null) v = lit(null);
      // the map column keeps its own type: a cast cannot make its values non-nullable, and they are not null
      if (!f.name().equals(InferenceSchema.PROBABILITIES) || o[1] == null) v = v.cast(f.dataType());
      select.add(v.as(f.name()));
    }
    return new InferenceRows(input.select(select.toArray(new Column[0])), model, schema, jobId, time);
  }

  /** A level's text as the model reads it from a Spark value (see {@link FeatureCodec#fromSpark}). */
  private static Column levelText(Column c, DataType t, String[] domain) {
    if (t instanceof StringType) return c;
    if (t instanceof BooleanType || integral(t)) return c.cast(DataTypes.StringType);
    // a fractional number: "3" for 3.0 when the model has a level "3", else Java's text of the double
    Column d = c.cast(DataTypes.DoubleType);
    Column text = d.cast(DataTypes.StringType);
    Set<String> whole = new LinkedHashSet<>();
    for (String level : domain) {
      try {
        if (Long.toString(Long.parseLong(level)).equals(level)) whole.add(level);
      } catch (NumberFormatException e) {
        // not a whole number's text
      }
    }
    if (whole.isEmpty()) return text;
    Column asLong = d.cast(DataTypes.LongType).cast(DataTypes.StringType);
    return when(d.equalTo(floor(d)).and(abs(d).lt(1e15)).and(asLong.isin(whole.toArray())), asLong).otherwise(text);
  }

  /** A non-text Spark value as a numeric feature's double. */
  private static Column number(Column c, DataType t) {
    if (t instanceof DateType) return unix_date(c).cast(DataTypes.DoubleType).multiply(86_400_000.0);
    if (t instanceof TimestampType) return unix_millis(c).cast(DataTypes.DoubleType);
    if (t instanceof TimestampNTZType) return NTZ_MILLIS.apply(c);
    Column d = c.cast(DataTypes.DoubleType);
    // NaN is missing, as the model scores it
    return t instanceof DoubleType || t instanceof FloatType ? when(isnan(d), lit(null)).otherwise(d) : d;
  }

  private static boolean integral(DataType t) {
    return t instanceof IntegerType || t instanceof LongType || t instanceof ShortType || t instanceof ByteType;
  }

  private static Column labels(MojoModel mojo) {
    List<Column> labels = new ArrayList<>();
    for (String l : mojo.responseDomain()) labels.add(lit(l));
    return array(labels.toArray(new Column[0]));
  }

  // ------------------------------------------------------------ helpers

  /** A new job id: 32 hex digits. */
  static String newJobId() {
    return RequestIds.generate();
  }

  static void requireRegistered(LoadedModel model) {
    if (model.resolved().name() == null) {
      throw new IllegalArgumentException("cannot log the rows scored by " + model.resolved().uri() + ": inference"
          + " tables are per registered model, and a run artifact has no model name; register it and score by"
          + " name@alias or name/version");
    }
  }

  private static int require(StructType in, String column, String what) {
    int i = index(in, column);
    if (i < 0) {
      throw new IllegalArgumentException("the scored rows have no column '" + column + "' (" + what + "); their columns: "
          + String.join(", ", in.fieldNames()));
    }
    return i;
  }

  private static int index(StructType in, String column) {
    StructField[] f = in.fields();
    for (int i = 0; i < f.length; i++) if (f[i].name().equalsIgnoreCase(column)) return i;
    return -1;
  }

  private static boolean sameFields(StructType got, StructType expected) {
    if (got.size() != expected.size()) return false;
    for (int i = 0; i < got.size(); i++) {
      if (!got.fields()[i].name().equals(expected.fields()[i].name())) return false;
    }
    return true;
  }
}
