package io.omelet.scoring;

import io.omelet.registry.OmeletRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.AnalysisContext$;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.CreateNamedStruct;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple3;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;

/**
 * Omelet's SQL functions, {@code omelet_predict} and {@code omelet_explain}. With no code, set
 * {@code spark.sql.extensions=io.omelet.scoring.OmeletSparkExtensions}; from code,
 * {@code OmeletFunctions.register(spark)}.
 *
 * <p>Both take a model URI literal ({@code 'churn@champion'}, {@code 'churn/3'},
 * {@code 'runs:/<run_id>/model'}) and then the feature columns: listed one by one, as
 * {@code struct(*)} or as {@code *}. Arguments are matched to the model's features by name,
 * ignoring case; arguments the model does not use are dropped. The URI is resolved while the
 * query is analysed, once per URI per query.
 */
public final class OmeletFunctions {
  public static final String PREDICT = "omelet_predict";
  public static final String EXPLAIN = "omelet_explain";

  /**
   * The registries the functions resolve URIs in, by session and root. A registry holds its session,
   * so a weak map keyed by the session would never let go: this one keeps the last few and drops
   * those whose session was stopped.
   */
  private static final int MAX_REGISTRIES = 16;
  private static final Map<RegistryKey, OmeletRegistry> REGISTRIES = new java.util.LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<RegistryKey, OmeletRegistry> eldest) {
      return size() > MAX_REGISTRIES;
    }
  };

  /** A session (by identity: SparkSession keeps Object's equals) and a registry root. */
  private record RegistryKey(SparkSession session, String root) {}
  /** The URIs resolved by the analysis running on this thread, with that analysis' context. */
  private static final ThreadLocal<QueryModels> RESOLVED = new ThreadLocal<>();

  private OmeletFunctions() {}

  /** Registers both functions in the session's function registry (for programmatic use). */
  public static void register(SparkSession spark) {
    for (Tuple3<FunctionIdentifier, ExpressionInfo, scala.Function1<Seq<Expression>, Expression>> d : descriptions()) {
      spark.sessionState().functionRegistry().registerFunction(d._1(), d._2(), d._3());
    }
  }

  /** What {@link OmeletSparkExtensions} injects. */
  static List<Tuple3<FunctionIdentifier, ExpressionInfo, scala.Function1<Seq<Expression>, Expression>>> descriptions() {
    return List.of(
        description(PREDICT, "_FUNC_(model_uri, col1, col2, ...) | _FUNC_(model_uri, struct(*)) | _FUNC_(model_uri, *)"
            + " - Scores the row with a registered H2O model. Returns struct<prediction, probabilities:"
            + " map<label, probability>, positive_probability> for a classifier (positive_probability for two"
            + " classes only) and struct<prediction: double> for regression.",
            OmeletPredict.class, args -> build(PREDICT, args, OmeletPredict::new)),
        description(EXPLAIN, "_FUNC_(model_uri, col1, col2, ...) | _FUNC_(model_uri, struct(*)) | _FUNC_(model_uri, *)"
            + " - SHAP contributions of the row from the model's MOJO (exact TreeSHAP for GBM, DRF and XGBoost,"
            + " exact linear terms for GLM): struct<contributions: map<feature, double>, bias: double> on the"
            + " model's link scale (log-odds of the second class for a binary GBM, GLM or XGBoost); bias plus"
            + " the sum of the contributions is that output. A multinomial GBM is explained per class:"
            + " struct<contributions: map<class, map<feature, double>>, bias: map<class, double>>.",
            OmeletExplain.class, args -> build(EXPLAIN, args, OmeletExplain::new)));
  }

  private static Tuple3<FunctionIdentifier, ExpressionInfo, scala.Function1<Seq<Expression>, Expression>> description(
      String name, String usage, Class<?> cls, Function<List<Expression>, Expression> builder) {
    ExpressionInfo info = new ExpressionInfo(cls.getName(), null, name, usage, "", "", "", "misc_funcs", "0.1.0", "",
        "java_udf");
    return new Tuple3<>(FunctionIdentifier.apply(name), info, new Builder(builder));
  }

  /** Spark's FunctionBuilder, a Scala function of the argument expressions. */
  private static final class Builder extends AbstractFunction1<Seq<Expression>, Expression> {
    private final Function<List<Expression>, Expression> body;

    Builder(Function<List<Expression>, Expression> body) {
      this.body = body;
    }

    @Override
    public Expression apply(Seq<Expression> args) {
      return body.apply(new ArrayList<>(JavaConverters.seqAsJavaList(args)));
    }
  }

  /** Makes one function's expression once its model and feature children are known. */
  @FunctionalInterface
  interface Factory {
    MojoFunction make(LoadedModel model, FeatureBinding binding, Expression[] features);
  }

  static Expression build(String function, List<Expression> args, Factory factory) {
    if (args.size() < 2) {
      throw new IllegalArgumentException(function + " takes a model URI and the feature columns, e.g. "
          + function + "('churn@champion', *); got " + args.size() + " argument(s)");
    }
    String uri = uriArgument(function, args.get(0));
    LoadedModel model = resolve(function, uri);
    Map<String, Expression> byName = new HashMap<>();
    List<Expression> unnamed = new ArrayList<>();
    for (Map.Entry<String, Expression> arg : flatten(args.subList(1, args.size()))) {
      if (arg.getKey() == null) unnamed.add(arg.getValue());
      else byName.putIfAbsent(arg.getKey().toLowerCase(Locale.ROOT), arg.getValue());
    }
    String[] features = model.mojo().features();
    Expression[] children = new Expression[features.length];
    StructType schema = new StructType();
    List<String> missing = new ArrayList<>();
    for (int f = 0; f < features.length; f++) {
      Expression e = byName.get(features[f].toLowerCase(Locale.ROOT));
      if (e == null) {
        missing.add(features[f]);
        continue;
      }
      children[f] = e;
      schema = schema.add(features[f], e.dataType(), true);
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(function + "('" + uri + "'): missing feature column(s) "
          + String.join(", ", missing) + ": " + model.describe() + " needs " + String.join(", ", features)
          + " (matched by name, ignoring case); the arguments name " + String.join(", ", new java.util.TreeSet<>(byName.keySet()))
          + (unnamed.isEmpty() ? "" : " and " + unnamed.size() + " unnamed expression(s)"));
    }
    FeatureBinding binding;
    try {
      binding = FeatureBinding.bind(schema, model.mojo())
          .withPolicy(CoercionPolicy.forQuery(SparkSession.active(), function + "('" + uri + "')"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(function + "('" + uri + "'): " + e.getMessage(), e);
    }
    return factory.make(model, binding, children);
  }

  private static String uriArgument(String function, Expression e) {
    if (!e.foldable() || !DataTypes.StringType.equals(e.dataType())) {
      throw new IllegalArgumentException(function + ": the first argument must be the model URI as a string"
          + " literal, e.g. 'churn@champion', 'churn/3' or 'runs:/<run_id>/model'; got " + e.sql());
    }
    Object v = e.eval(null);
    if (v == null || v.toString().isBlank()) {
      throw new IllegalArgumentException(function + ": the model URI is empty");
    }
    return v.toString().trim();
  }

  /** Each argument with the feature name it offers; struct(*) and struct(a, b) offer their fields. */
  private static List<Map.Entry<String, Expression>> flatten(List<Expression> args) {
    List<Map.Entry<String, Expression>> out = new ArrayList<>();
    for (Expression a : args) {
      if (a instanceof CreateNamedStruct s) {
        List<Expression> names = JavaConverters.seqAsJavaList(s.nameExprs());
        List<Expression> values = JavaConverters.seqAsJavaList(s.valExprs());
        for (int i = 0; i < values.size(); i++) {
          out.add(new java.util.AbstractMap.SimpleImmutableEntry<>(names.get(i).eval(null).toString(), values.get(i)));
        }
      } else {
        out.add(new java.util.AbstractMap.SimpleImmutableEntry<>(argumentName(a), a));
      }
    }
    return out;
  }

  /**
   * The feature an argument feeds: its column or alias name; for an unnamed expression over a
   * single column (e.g. {@code cast(age AS double)}) that column's name.
   */
  private static String argumentName(Expression e) {
    if (e instanceof NamedExpression n) return n.name();
    Set<String> refs = new HashSet<>();
    for (Attribute a : JavaConverters.seqAsJavaList(e.references().toSeq())) refs.add(a.name());
    return refs.size() == 1 ? refs.iterator().next() : null;
  }

  private static LoadedModel resolve(String function, String uri) {
    SparkSession spark = SparkSession.active();
    QueryModels q = RESOLVED.get();
    Object context = AnalysisContext$.MODULE$.get();
    if (q == null || q.context != context || q.spark != spark) {
      q = new QueryModels(context, spark);
      RESOLVED.set(q);
    }
    LoadedModel m = q.models.get(uri);
    if (m == null) {
      try {
        m = ModelLoader.load(registry(spark), uri);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(function + ": " + e.getMessage(), e);
      }
      q.models.put(uri, m);
    }
    return m;
  }

  private static OmeletRegistry registry(SparkSession spark) {
    String root = spark.conf().get(OmeletRegistry.ROOT_CONF, OmeletRegistry.DEFAULT_ROOT);
    synchronized (REGISTRIES) {
      REGISTRIES.keySet().removeIf(k -> k.session().sparkContext().isStopped());
      return REGISTRIES.computeIfAbsent(new RegistryKey(spark, root), k -> OmeletRegistry.open(spark, root));
    }
  }

  /** One analysis' resolutions: every call of a URI in one query scores with the same version. */
  private static final class QueryModels {
    final Object context;
    final SparkSession spark;
    final Map<String, LoadedModel> models = new HashMap<>();

    QueryModels(Object context, SparkSession spark) {
      this.context = context;
      this.spark = spark;
    }
  }
}
