package io.omelet.registry.search;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.omelet.registry.search.Filter.Comparison;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Column;

/**
 * Turns a parsed filter into one Spark Column predicate, built from column objects and literals
 * (never from SQL text), over a frame whose columns a {@link Resolver} names.
 */
public final class FilterCompiler {
  private FilterCompiler() {}

  /** Where the fields of a filter live in the frame being filtered. */
  public interface Resolver {
    /** The column of a metric, param, tag or attribute. */
    Column column(Field field);

    /**
     * "Some input dataset of the run satisfies the predicate"; the predicate receives a function
     * from a dataset field name (path, version, ...) to that field of the input being tested.
     */
    Column anyInput(Function<Function<String, Column>, Column> predicate);
  }

  /** Every field a filter mentions, in order of first mention. */
  public static Set<Field> fields(Filter f) {
    Set<Field> out = new LinkedHashSet<>();
    collect(f, out);
    return out;
  }

  private static void collect(Filter f, Set<Field> out) {
    if (f instanceof Filter.And a) {
      a.terms().forEach(t -> collect(t, out));
    } else if (f instanceof Filter.Or o) {
      o.terms().forEach(t -> collect(t, out));
    } else if (f instanceof Filter.Not n) {
      collect(n.term(), out);
    } else if (f instanceof Comparison c) {
      out.add(c.field());
    }
  }

  public static Column compile(Filter f, Resolver resolver) {
    if (f instanceof Filter.And a) {
      return a.terms().stream().map(t -> compile(t, resolver)).reduce(Column::and).orElseThrow();
    }
    if (f instanceof Filter.Or o) {
      return o.terms().stream().map(t -> compile(t, resolver)).reduce(Column::or).orElseThrow();
    }
    if (f instanceof Filter.Not n) {
      return not(compile(n.term(), resolver));
    }
    if (f instanceof Comparison c) {
      return c.field().entity() == Field.Entity.DATASET
          ? resolver.anyInput(input -> comparison(input.apply(c.field().key()), c))
          : comparison(resolver.column(c.field()), c);
    }
    return lit(true); // Filter.All
  }

  static Column comparison(Column column, Comparison c) {
    List<Object> v = c.values();
    return switch (c.op()) {
      case EQ -> column.equalTo(lit(v.get(0)));
      case NE -> column.notEqual(lit(v.get(0)));
      case GT -> column.gt(lit(v.get(0)));
      case GE -> column.geq(lit(v.get(0)));
      case LT -> column.lt(lit(v.get(0)));
      case LE -> column.leq(lit(v.get(0)));
      case LIKE -> column.like((String) v.get(0));
      case NOT_LIKE -> not(column.like((String) v.get(0)));
      case ILIKE -> column.ilike((String) v.get(0));
      case NOT_ILIKE -> not(column.ilike((String) v.get(0)));
      case IN -> column.isin(v.toArray());
      case NOT_IN -> not(column.isin(v.toArray()));
      case IS_NULL -> column.isNull();
      case IS_NOT_NULL -> column.isNotNull();
    };
  }

  /** Sort expression for one order-by key: runs missing the field always come last. */
  public static Column sortColumn(Column column, boolean ascending) {
    return ascending ? column.asc_nulls_last() : column.desc_nulls_last();
  }
}
