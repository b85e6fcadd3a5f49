package io.omelet.scoring;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.DataType;
import scala.collection.IndexedSeq;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The Catalyst expression behind Omelet's SQL functions: a model pinned when the query was
 * analysed (so one query never mixes two versions) and one child per model feature, in the
 * model's feature order (columns the model does not use were dropped when the function was
 * built). Each row is copied straight into a reused {@code double[]} and handed to h2o-genmodel:
 * when the children are plain column references, values are read from the input row by ordinal
 * with no boxing and no per-row maps.
 *
 * <p>Runs through {@link CodegenFallback}: the generated projection calls {@link #eval}, and Spark
 * keeps such a projection out of whole-stage code generation, so {@code eval} always sees the
 * operator's input row.
 */
public abstract class MojoFunction extends Expression implements CodegenFallback, java.io.Serializable {
  private static final long serialVersionUID = 2L;

  private final String functionName;
  /** The URI as the query gave it, resolved once when the query was analysed, with its MOJO. */
  private final LoadedModel model;
  private final MojoModel mojo;
  private final FeatureBinding binding;
  private final Expression[] features;
  private final Seq<Expression> childSeq;

  /** Per-thread working arrays; each task deserialises its own expression, so this is rarely shared. */
  private transient volatile Scratch scratch;

  protected MojoFunction(String functionName, LoadedModel model, FeatureBinding binding, Expression[] features) {
    this.functionName = functionName;
    this.model = model;
    this.mojo = model.mojo();
    this.binding = binding;
    this.features = features.clone();
    this.childSeq = JavaConverters.asScalaBuffer(Arrays.asList(this.features)).toIndexedSeq();
  }

  /** A copy of this function over new children (same model, same binding). */
  protected abstract MojoFunction copy(Expression[] newFeatures);

  /** Scores the prepared model row with this thread's working arrays. */
  protected abstract Object score(double[] modelRow, Scratch s);

  /** Working arrays a subclass needs beyond the model row (made once per thread). */
  protected abstract Object newWorkspace();

  public String modelUri() {
    return model.resolved().uri();
  }

  /** The registered name and version (or run artifact) this expression scores with. */
  public String modelDescription() {
    return model.describe();
  }

  /**
   * The model this expression scores with: the URI as the query named it, the registered name and
   * version it resolved to (when the query was analysed) and the MOJO. What a scored query's rows
   * record, e.g. in the model's inference table.
   */
  public LoadedModel model() {
    return model;
  }

  public MojoModel mojo() {
    return mojo;
  }

  protected FeatureBinding binding() {
    return binding;
  }

  @Override
  public Object eval(InternalRow input) {
    Scratch s = scratch();
    if (s.direct != null) {
      s.direct.fill(input, s.row);
    } else {
      for (int i = 0; i < features.length; i++) s.values.update(i, features[i].eval(input));
      binding.fill(s.values, s.row);
    }
    return score(s.row, s);
  }

  private Scratch scratch() {
    Scratch s = scratch;
    if (s == null || s.owner != Thread.currentThread()) {
      s = new Scratch();
      scratch = s;
    }
    return s;
  }

  /** The working arrays of one thread. */
  protected final class Scratch {
    final Thread owner = Thread.currentThread();
    final double[] row = new double[Math.max(mojo.genModel().getNames().length, mojo.genModel().nfeatures())];
    final GenericInternalRow values = new GenericInternalRow(features.length);
    /** Reads the input row by ordinal when every child is a plain column reference. */
    final FeatureBinding direct = directBinding();
    final Object workspace = newWorkspace();

    @SuppressWarnings("unchecked")
    protected <T> T workspace() {
      return (T) workspace;
    }
  }

  private FeatureBinding directBinding() {
    int[] ordinals = new int[features.length];
    for (int i = 0; i < features.length; i++) {
      if (!(features[i] instanceof BoundReference ref)) return null;
      ordinals[i] = ref.ordinal();
    }
    return binding.withOrdinals(ordinals);
  }

  @Override
  public abstract DataType dataType();

  @Override
  public boolean nullable() {
    return false;
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    return CodegenFallback.super.doGenCode(ctx, ev);
  }

  @Override
  public Seq<Expression> children() {
    return childSeq;
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    List<Expression> list = JavaConverters.seqAsJavaList(newChildren);
    return copy(list.toArray(new Expression[0]));
  }

  @Override
  public String prettyName() {
    return functionName;
  }

  @Override
  public String toString() {
    return functionName + "('" + modelUri() + "' = " + modelDescription() + ", " + features.length + " features)";
  }

  @Override
  public String sql() {
    StringBuilder b = new StringBuilder(functionName).append("('").append(modelUri().replace("'", "\\'")).append('\'');
    for (Expression f : features) b.append(", ").append(f.sql());
    return b.append(')').toString();
  }

  @Override
  public int productArity() {
    return 2;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> modelUri();
      case 1 -> childSeq;
      default -> throw new IndexOutOfBoundsException(Integer.toString(n));
    };
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof MojoFunction;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (o == null || o.getClass() != getClass()) return false;
    MojoFunction m = (MojoFunction) o;
    return mojo.key().equals(m.mojo.key()) && modelUri().equals(m.modelUri()) && childSeq.equals(m.childSeq);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * getClass().hashCode() + mojo.key().hashCode()) + childSeq.hashCode();
  }
}
