package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.search.Field;
import io.omelet.registry.search.Filter;
import io.omelet.registry.search.Filter.Comparison;
import io.omelet.registry.search.Filter.Op;
import io.omelet.registry.search.FilterParser;
import io.omelet.registry.search.FilterSyntaxException;
import io.omelet.registry.search.OrderBy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The filter grammar on its own: no Spark needed. */
class FilterParserTest {

  @Test
  void mlflowExampleParsesIntoAnAndOfFourComparisons() {
    Filter f = FilterParser.parse("metrics.auc > 0.8 and params.algorithm = 'XGBoost' and tags.team = 'risk' "
        + "and attributes.status = 'FINISHED'");
    Filter.And and = assertInstanceOf(Filter.And.class, f);
    assertEquals(4, and.terms().size());
    assertEquals(new Comparison(new Field(Field.Entity.METRIC, "auc"), Op.GT, List.of(0.8)), and.terms().get(0));
    assertEquals(new Comparison(new Field(Field.Entity.PARAM, "algorithm"), Op.EQ, List.of("XGBoost")), and.terms().get(1));
    assertEquals(new Comparison(new Field(Field.Entity.TAG, "team"), Op.EQ, List.of("risk")), and.terms().get(2));
    assertEquals(new Comparison(new Field(Field.Entity.ATTRIBUTE, "status"), Op.EQ, List.of("FINISHED")), and.terms().get(3));
  }

  @Test
  void everyOperator() {
    assertEquals(Op.EQ, op("metrics.a = 1"));
    assertEquals(Op.EQ, op("metrics.a == 1"));
    assertEquals(Op.NE, op("metrics.a != 1"));
    assertEquals(Op.NE, op("metrics.a <> 1"));
    assertEquals(Op.GT, op("metrics.a > 1"));
    assertEquals(Op.GE, op("metrics.a >= 1"));
    assertEquals(Op.LT, op("metrics.a < -1.5e-3"));
    assertEquals(Op.LE, op("metrics.a <= 1"));
    assertEquals(Op.LIKE, op("params.a LIKE 'G%'"));
    assertEquals(Op.ILIKE, op("params.a ilike 'g%'"));
    assertEquals(Op.NOT_LIKE, op("params.a NOT LIKE 'G%'"));
    assertEquals(Op.NOT_ILIKE, op("tags.a NOT ILIKE 'g%'"));
    assertEquals(Op.IN, op("params.a IN ('GBM', 'DRF')"));
    assertEquals(Op.NOT_IN, op("attributes.status NOT IN ('FAILED')"));
    assertEquals(Op.IS_NULL, op("tags.a IS NULL"));
    assertEquals(Op.IS_NOT_NULL, op("metrics.a is not null"));
    Comparison in = (Comparison) FilterParser.parse("params.a IN ('GBM', \"DRF\", 'it''s')");
    assertEquals(List.of("GBM", "DRF", "it's"), in.values());
  }

  @Test
  void orBindsLooserThanAndAndParenthesesGroup() {
    Filter f = FilterParser.parse("metrics.a > 1 AND metrics.b > 2 OR metrics.c > 3");
    Filter.Or or = assertInstanceOf(Filter.Or.class, f);
    assertInstanceOf(Filter.And.class, or.terms().get(0));
    Filter g = FilterParser.parse("metrics.a > 1 AND (metrics.b > 2 OR metrics.c > 3)");
    Filter.And and = assertInstanceOf(Filter.And.class, g);
    assertInstanceOf(Filter.Or.class, and.terms().get(1));
    Filter n = FilterParser.parse("NOT (params.a = 'x' OR params.a = 'y')");
    assertInstanceOf(Filter.Not.class, n);
  }

  @Test
  void quotedKeysAndAttributeAliases() {
    Comparison c = (Comparison) FilterParser.parse("metrics.`f1 score` >= 0.5");
    assertEquals("f1 score", c.field().key());
    Comparison d = (Comparison) FilterParser.parse("params.\"learn rate\" = '0.1'");
    assertEquals("learn rate", d.field().key());
    Comparison e = (Comparison) FilterParser.parse("tags.team.lead = 'x'");
    assertEquals(new Field(Field.Entity.TAG, "team.lead"), e.field());
    // MLflow's system tags that Omelet keeps as attributes read the attribute
    Comparison e2 = (Comparison) FilterParser.parse("tags.mlflow.runName = 'x'");
    assertEquals(new Field(Field.Entity.ATTRIBUTE, "run_name"), e2.field());
    Comparison e3 = (Comparison) FilterParser.parse("tags.`mlflow.parentRunId` = 'x'");
    assertEquals(new Field(Field.Entity.ATTRIBUTE, "parent_run_id"), e3.field());
    Comparison f = (Comparison) FilterParser.parse("attribute.created > 0");
    assertEquals(new Field(Field.Entity.ATTRIBUTE, "start_time"), f.field());
    Comparison g = (Comparison) FilterParser.parse("run.run_name LIKE 'gbm%'");
    assertEquals("run_name", g.field().key());
    Comparison h = (Comparison) FilterParser.parse("datasets.version >= 2");
    assertEquals(Field.Entity.DATASET, h.field().entity());
  }

  @Test
  void orderByClauses() {
    List<OrderBy> o = FilterParser.parseOrderBy(List.of("metrics.auc DESC, params.algo", "attributes.start_time asc"));
    assertEquals(List.of(new OrderBy(new Field(Field.Entity.METRIC, "auc"), false),
        new OrderBy(new Field(Field.Entity.PARAM, "algo"), true),
        new OrderBy(new Field(Field.Entity.ATTRIBUTE, "start_time"), true)), o);
    FilterSyntaxException bad = assertThrows(FilterSyntaxException.class,
        () -> FilterParser.parseOrderBy(List.of("metrics.auc DOWN")));
    assertEquals(12, bad.position());
  }

  @Test
  void badFiltersReportPositionAndExpectation() {
    assertBad("metrics.auc 0.9", 12, "comparison operator");
    assertBad("metrics.auc > 'high'", 14, "a number");
    assertBad("params.algo = GBM", 14, "quoted string");
    assertBad("params.algo > 'GBM'", 12, "holds strings");
    assertBad("metrics.auc > 0.9 and", 21, "a field");
    assertBad("metrics.auc > 0.9 params.algo = 'x'", 18, "AND, OR");
    assertBad("(metrics.auc > 0.9 or metrics.auc < 0.1", 39, "closing parenthesis");
    assertBad("metric.auc > 0.9 and foo.bar = 'x'", 21, "metrics., params.");
    assertBad("params.algo = 'GBM", 14, "closing '");
    assertBad("params.algo IN 'GBM'", 15, "'('");
    assertBad("params.algo IN ('GBM' 'DRF')", 22, "',' or ')'");
    assertBad("attributes.colour = 'red'", 0, "attributes");
    assertBad("metrics.auc LIKE '0.9%'", 12, "numeric");
    assertBad("metrics.auc > 0.9 # comment", 18, "a name, a value");
    assertBad("tags.x IS 'y'", 10, "NULL");
    assertBad("metrics. > 1", 9, "a key");
  }

  @Test
  void errorMessageShowsTheFilterWithACaret() {
    FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse("metrics.auc >> 0.9"));
    String[] lines = e.getMessage().split("\n");
    assertTrue(lines[0].startsWith("bad filter at position 13: expected a number"), lines[0]);
    assertEquals("  metrics.auc >> 0.9", lines[1]);
    assertEquals("               ^", lines[2]);
  }

  @Test
  void deepNestingIsASyntaxErrorNotAStackOverflow() {
    // 100 levels parse; past that the parser stops at the 101st opening, with its position
    String ok = "(".repeat(FilterParser.MAX_DEPTH) + "metrics.auc > 0.5" + ")".repeat(FilterParser.MAX_DEPTH);
    assertInstanceOf(Comparison.class, FilterParser.parse(ok));
    int deep = 20_000;
    assertBad("(".repeat(deep) + "metrics.auc > 0.5" + ")".repeat(deep), FilterParser.MAX_DEPTH, "nest at most");
    assertBad("NOT ".repeat(deep) + "metrics.auc > 0.5", 4 * FilterParser.MAX_DEPTH, "nest at most");
    assertBad("(".repeat(deep), FilterParser.MAX_DEPTH, "nest at most");
  }

  @Test
  void blankFilterMatchesAll() {
    assertInstanceOf(Filter.All.class, FilterParser.parse("  "));
    assertInstanceOf(Filter.All.class, FilterParser.parse(null));
  }

  private static Op op(String filter) {
    return ((Comparison) FilterParser.parse(filter)).op();
  }

  private static void assertBad(String filter, int position, String expectedFragment) {
    FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(filter), filter);
    assertEquals(position, e.position(), filter + " -> " + e.getMessage());
    assertTrue(e.getMessage().contains(expectedFragment), filter + " -> " + e.getMessage());
  }
}
