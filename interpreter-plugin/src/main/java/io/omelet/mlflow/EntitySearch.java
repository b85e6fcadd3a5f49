package io.omelet.mlflow;

import io.omelet.registry.search.Field;
import io.omelet.registry.search.Filter;
import io.omelet.registry.search.FilterEvaluator;
import io.omelet.registry.search.FilterParser;
import io.omelet.registry.search.FilterParser.Vocabulary;
import io.omelet.registry.search.OrderBy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * MLflow's searches over lists small enough to hold (experiments, registered models, versions):
 * the request's filter and order-by in the entity's vocabulary, evaluated in memory, then one page.
 * Each entity says its fields, its default order (used when the request gives none), the keys
 * that break ties, and its page sizes.
 */
record EntitySearch<T>(String listField, Vocabulary vocabulary, BiFunction<T, Field, Object> fields,
                       List<OrderBy> defaultOrder, List<OrderBy> tieBreak, int defaultMax, int maxMax) {

  static OrderBy attribute(String key, boolean ascending) {
    return new OrderBy(new Field(Field.Entity.ATTRIBUTE, key), ascending);
  }

  /** One page of the items of {@code all} the request's filter keeps, in its order; {@code scope} binds the token further. */
  Map<String, Object> page(MlflowRequest q, List<T> all, String scope, Function<T, Object> render) {
    int max = q.intValue("max_results", defaultMax, maxMax);
    String filter = q.string("filter");
    List<String> orderBy = q.strings("order_by");
    Filter parsed = FilterParser.parse(filter, vocabulary);
    List<OrderBy> order = new ArrayList<>(FilterParser.parseOrderBy(orderBy, vocabulary));
    if (order.isEmpty()) order.addAll(defaultOrder);
    order.addAll(tieBreak);
    List<T> found = new ArrayList<>();
    for (T item : all) {
      if (FilterEvaluator.matches(parsed, f -> fields.apply(item, f))) found.add(item);
    }
    found.sort(comparator(order));
    String query = listField + "|" + filter + "|" + orderBy + "|" + scope;
    return MlflowApi.page(found, q.string("page_token"), query, max, listField, render);
  }

  /** Sorts by the order-by keys, each with missing values last. */
  private Comparator<T> comparator(List<OrderBy> order) {
    return (a, b) -> {
      for (OrderBy o : order) {
        int c = FilterEvaluator.sortOrder(fields.apply(a, o.field()), fields.apply(b, o.field()), o.ascending());
        if (c != 0) return c;
      }
      return 0;
    };
  }
}
