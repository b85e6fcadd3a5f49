package io.omelet.registry.search;

import io.omelet.registry.search.Filter.Comparison;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Evaluates a parsed filter on one object in memory (experiments, registered models, model
 * versions: lists small enough not to need Spark), with SQL's three-valued logic so that it agrees
 * with the Spark predicates {@link FilterCompiler} builds: a comparison with a missing field is
 * unknown, NOT of unknown stays unknown, and only a true filter matches.
 */
public final class FilterEvaluator {
  private FilterEvaluator() {}

  /** True when {@code filter} holds for the object whose fields {@code values} gives (null: missing). */
  public static boolean matches(Filter filter, Function<Field, Object> values) {
    return Boolean.TRUE.equals(eval(filter, values));
  }

  private static Boolean eval(Filter f, Function<Field, Object> values) {
    if (f instanceof Filter.And a) {
      boolean unknown = false;
      for (Filter t : a.terms()) {
        Boolean b = eval(t, values);
        if (Boolean.FALSE.equals(b)) return false;
        if (b == null) unknown = true;
      }
      return unknown ? null : true;
    }
    if (f instanceof Filter.Or o) {
      boolean unknown = false;
      for (Filter t : o.terms()) {
        Boolean b = eval(t, values);
        if (Boolean.TRUE.equals(b)) return true;
        if (b == null) unknown = true;
      }
      return unknown ? null : false;
    }
    if (f instanceof Filter.Not n) {
      Boolean b = eval(n.term(), values);
      return b == null ? null : !b;
    }
    if (f instanceof Comparison c) return compare(values.apply(c.field()), c);
    return true; // Filter.All
  }

  private static Boolean compare(Object actual, Comparison c) {
    List<Object> v = c.values();
    if (c.op() == Filter.Op.IS_NULL) return actual == null;
    if (c.op() == Filter.Op.IS_NOT_NULL) return actual != null;
    if (actual == null) return null;
    return switch (c.op()) {
      case EQ -> order(actual, v.get(0)) == 0;
      case NE -> order(actual, v.get(0)) != 0;
      case GT -> order(actual, v.get(0)) > 0;
      case GE -> order(actual, v.get(0)) >= 0;
      case LT -> order(actual, v.get(0)) < 0;
      case LE -> order(actual, v.get(0)) <= 0;
      case LIKE -> like((String) v.get(0), false).matcher(actual.toString()).matches();
      case NOT_LIKE -> !like((String) v.get(0), false).matcher(actual.toString()).matches();
      case ILIKE -> like((String) v.get(0), true).matcher(actual.toString()).matches();
      case NOT_ILIKE -> !like((String) v.get(0), true).matcher(actual.toString()).matches();
      case IN -> v.stream().anyMatch(x -> order(actual, x) == 0);
      case NOT_IN -> v.stream().noneMatch(x -> order(actual, x) == 0);
      default -> throw new IllegalStateException("unhandled operator " + c.op());
    };
  }

  /** Numbers compare as numbers; anything else as its text. */
  private static int order(Object actual, Object wanted) {
    if (actual instanceof Number a && wanted instanceof Number w) return Double.compare(a.doubleValue(), w.doubleValue());
    return actual.toString().compareTo(wanted.toString());
  }

  /** SQL LIKE: % any run of characters, _ one character, everything else literal. */
  static Pattern like(String pattern, boolean ignoreCase) {
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char ch : pattern.toCharArray()) {
      if (ch == '%' || ch == '_') {
        if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
        literal.setLength(0);
        re.append(ch == '%' ? ".*" : ".");
      } else {
        literal.append(ch);
      }
    }
    if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
    int flags = Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    return Pattern.compile(re.toString(), flags);
  }

  /** Compares two field values for sorting: missing values last whatever the direction. */
  public static int sortOrder(Object a, Object b, boolean ascending) {
    if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
    int c = order(a, b);
    return ascending ? c : -c;
  }
}
