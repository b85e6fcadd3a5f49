package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.search.Field;
import io.omelet.registry.search.Filter;
import io.omelet.registry.search.FilterEvaluator;
import io.omelet.registry.search.FilterParser;
import io.omelet.registry.search.FilterParser.Vocabulary;
import io.omelet.registry.search.FilterSyntaxException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assertions;

/** Filters over other entities (experiments, models), evaluated in memory with SQL's three-valued logic. */
class FilterEvaluatorTest {
  static final Vocabulary EXPERIMENTS = Vocabulary.of("experiments", "name", "creation_time");

  static boolean matches(String filter, Map<String, Object> attributes, Map<String, String> tags) {
    Filter f = FilterParser.parse(filter, EXPERIMENTS);
    return FilterEvaluator.matches(f, field -> field.entity() == Field.Entity.TAG ? tags.get(field.key())
        : attributes.get(field.key()));
  }

  @Test
  void bareAttributesTagsLikeAndOr() {
    Map<String, Object> a = Map.of("name", "Churn_v2", "creation_time", 1000L);
    assertTrue(matches("name = 'Churn_v2'", a, Map.of()));
    assertTrue(matches("attributes.name LIKE 'Churn%'", a, Map.of()));
    assertFalse(matches("name LIKE 'churn%'", a, Map.of()));
    assertTrue(matches("name ILIKE 'churn%'", a, Map.of()));
    assertTrue(matches("name LIKE 'Churn_v_'", a, Map.of())); // _ is one character
    assertFalse(matches("name LIKE 'Churn.v2'", a, Map.of())); // other characters are literal
    assertTrue(matches("creation_time > 999 AND (tags.team = 'x' OR name IN ('a', 'Churn_v2'))", a, Map.of()));
    assertTrue(matches("tags.team = 'risk'", a, Map.of("team", "risk")));
  }

  @Test
  void aMissingFieldIsUnknownNotFalse() {
    Map<String, Object> a = Map.of("name", "x");
    assertFalse(matches("tags.team = 'risk'", a, Map.of()));
    assertFalse(matches("NOT tags.team = 'risk'", a, Map.of())); // unknown stays unknown, as in Spark SQL
    assertTrue(matches("tags.team IS NULL", a, Map.of()));
    assertTrue(matches("tags.team = 'risk' OR name = 'x'", a, Map.of()));
  }

  @Test
  void runFieldsAreRefusedWithTheFieldsThatExist() {
    FilterSyntaxException e = Assertions.assertThrows(FilterSyntaxException.class,
        () -> FilterParser.parse("metrics.auc > 0.5", EXPERIMENTS));
    assertTrue(e.getMessage().contains("[name, creation_time]"), e.getMessage());
  }
}
