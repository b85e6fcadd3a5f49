package io.omelet.registry.search;

import java.util.List;

/** A parsed search filter: a tree of AND, OR, NOT and comparisons. */
public sealed interface Filter {
  record And(List<Filter> terms) implements Filter {}

  record Or(List<Filter> terms) implements Filter {}

  record Not(Filter term) implements Filter {}

  /** {@code field op values}; IN has several values, IS NULL none. */
  record Comparison(Field field, Op op, List<Object> values) implements Filter {}

  /** Matches every run: the empty filter. */
  record All() implements Filter {}

  enum Op {
    EQ("="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<="),
    LIKE("LIKE"), ILIKE("ILIKE"), NOT_LIKE("NOT LIKE"), NOT_ILIKE("NOT ILIKE"),
    IN("IN"), NOT_IN("NOT IN"), IS_NULL("IS NULL"), IS_NOT_NULL("IS NOT NULL");

    final String text;

    Op(String text) {
      this.text = text;
    }

    boolean isOrdering() {
      return this == GT || this == GE || this == LT || this == LE;
    }
  }
}
