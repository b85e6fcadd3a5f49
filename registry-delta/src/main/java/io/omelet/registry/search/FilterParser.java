package io.omelet.registry.search;

import io.omelet.registry.search.Filter.Op;
import io.omelet.registry.search.Token.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses MLflow's run filter syntax, extended with OR, NOT and parentheses:
 *
 * <pre>
 * filter     := or END
 * or         := and (OR and)*
 * and        := not (AND not)*
 * not        := NOT not | '(' or ')' | comparison
 * comparison := field ( op value | [NOT] (LIKE | ILIKE) string | [NOT] IN '(' value (',' value)* ')'
 *                     | IS [NOT] NULL )
 * field      := entity '.' key        entity: metrics, params, tags, attributes, datasets
 * </pre>
 *
 * Keys with spaces or other characters are quoted: {@code metrics.`f1 score`} or
 * {@code params."learn rate"}. Every error reports its position and what was expected there.
 */
public final class FilterParser {
  /** Deepest nesting of parentheses and NOTs: the parser recurses once per level (a stack overflow past some thousands). */
  public static final int MAX_DEPTH = 100;

  /**
   * Which fields a filter may name: {@link #RUNS}, or another entity's attributes and tags (MLflow's
   * experiment and model searches, where attributes may also be named bare: {@code name LIKE 'a%'}).
   */
  public record Vocabulary(String what, Map<String, String> attributes, Set<Field.Entity> entities,
                           boolean bareAttributes) {
    public static final Vocabulary RUNS = new Vocabulary("runs", Field.ATTRIBUTES, EnumSet.allOf(Field.Entity.class), false);

    /** Attributes (each a name that maps to itself) and tags; attributes may be named bare. */
    public static Vocabulary of(String what, String... attributes) {
      Map<String, String> m = new java.util.LinkedHashMap<>();
      for (String a : attributes) m.put(a, a);
      return new Vocabulary(what, m, EnumSet.of(Field.Entity.ATTRIBUTE, Field.Entity.TAG), true);
    }
  }

  private final String input;
  private final Vocabulary vocabulary;
  private final List<Token> tokens;
  private int at;
  private int depth;

  private FilterParser(String input, Vocabulary vocabulary) {
    this.input = input;
    this.vocabulary = vocabulary;
    this.tokens = Lexer.tokenize(input);
  }

  /** Parses a filter; null or blank matches every run. */
  public static Filter parse(String filter) {
    return parse(filter, Vocabulary.RUNS);
  }

  public static Filter parse(String filter, Vocabulary vocabulary) {
    if (filter == null || filter.isBlank()) return new Filter.All();
    FilterParser p = new FilterParser(filter, vocabulary);
    Filter f = p.or();
    p.expectEnd("AND, OR or the end of the filter");
    return f;
  }

  /** Parses order-by clauses: each {@code field [ASC|DESC]}, several per string when comma-separated. */
  public static List<OrderBy> parseOrderBy(List<String> clauses) {
    return parseOrderBy(clauses, Vocabulary.RUNS);
  }

  public static List<OrderBy> parseOrderBy(List<String> clauses, Vocabulary vocabulary) {
    List<OrderBy> out = new ArrayList<>();
    if (clauses == null) return out;
    for (String clause : clauses) {
      if (clause == null || clause.isBlank()) continue;
      FilterParser p = new FilterParser(clause, vocabulary);
      while (true) {
        Field field = p.field();
        boolean ascending = true;
        if (p.peek().isKeyword("ASC")) {
          p.at++;
        } else if (p.peek().isKeyword("DESC")) {
          ascending = false;
          p.at++;
        }
        out.add(new OrderBy(field, ascending));
        if (p.peek().kind() == Kind.COMMA) {
          p.at++;
          continue;
        }
        p.expectEnd("ASC, DESC, a comma or the end of the order-by clause");
        break;
      }
    }
    return out;
  }

  private Filter or() {
    List<Filter> terms = new ArrayList<>();
    terms.add(and());
    while (peek().isKeyword("OR")) {
      at++;
      terms.add(and());
    }
    return terms.size() == 1 ? terms.get(0) : new Filter.Or(terms);
  }

  private Filter and() {
    List<Filter> terms = new ArrayList<>();
    terms.add(not());
    while (peek().isKeyword("AND")) {
      at++;
      terms.add(not());
    }
    return terms.size() == 1 ? terms.get(0) : new Filter.And(terms);
  }

  private Filter not() {
    Token t = peek();
    if (t.isKeyword("NOT") || t.kind() == Kind.LPAREN) {
      if (++depth > MAX_DEPTH) {
        throw error(t, "a comparison: parentheses and NOTs nest at most " + MAX_DEPTH + " deep");
      }
      try {
        at++;
        if (t.isKeyword("NOT")) return new Filter.Not(not());
        Filter inner = or();
        Token close = peek();
        if (close.kind() != Kind.RPAREN) {
          throw error(close, "AND, OR or a closing parenthesis");
        }
        at++;
        return inner;
      } finally {
        depth--;
      }
    }
    return comparison();
  }

  private Filter comparison() {
    Token fieldToken = peek();
    Field field = field();
    Token t = peek();
    if (t.kind() == Kind.OPERATOR) {
      at++;
      Op op = switch (t.text()) {
        case "=" -> Op.EQ;
        case "!=" -> Op.NE;
        case ">" -> Op.GT;
        case ">=" -> Op.GE;
        case "<" -> Op.LT;
        default -> Op.LE;
      };
      if (op.isOrdering() && !field.isNumeric()) {
        throw error(t, "=, !=, LIKE, ILIKE, IN or IS for " + field
            + " (it holds strings; only metrics, start_time, end_time and datasets.version compare with < and >)");
      }
      return new Filter.Comparison(field, op, List.of(value(field)));
    }
    boolean negated = false;
    if (t.isKeyword("NOT")) {
      negated = true;
      at++;
      t = peek();
    }
    if (t.isKeyword("LIKE") || t.isKeyword("ILIKE")) {
      at++;
      if (field.isNumeric()) {
        throw error(t, "a comparison operator (=, !=, <, <=, >, >=) for the numeric " + field);
      }
      Token v = peek();
      if (v.kind() != Kind.STRING) throw error(v, "a quoted pattern such as '%GBM%'");
      at++;
      boolean ilike = t.isKeyword("ILIKE");
      Op op = ilike ? (negated ? Op.NOT_ILIKE : Op.ILIKE) : (negated ? Op.NOT_LIKE : Op.LIKE);
      return new Filter.Comparison(field, op, List.of(v.text()));
    }
    if (t.isKeyword("IN")) {
      at++;
      Token open = peek();
      if (open.kind() != Kind.LPAREN) throw error(open, "'(' to open the IN list");
      at++;
      List<Object> values = new ArrayList<>();
      values.add(value(field));
      while (peek().kind() == Kind.COMMA) {
        at++;
        values.add(value(field));
      }
      Token close = peek();
      if (close.kind() != Kind.RPAREN) throw error(close, "',' or ')' in the IN list");
      at++;
      return new Filter.Comparison(field, negated ? Op.NOT_IN : Op.IN, values);
    }
    if (negated) throw error(t, "LIKE, ILIKE or IN after NOT");
    if (t.isKeyword("IS")) {
      at++;
      boolean not = false;
      if (peek().isKeyword("NOT")) {
        not = true;
        at++;
      }
      Token nul = peek();
      if (!nul.isKeyword("NULL")) throw error(nul, not ? "NULL" : "NULL or NOT NULL");
      at++;
      return new Filter.Comparison(field, not ? Op.IS_NOT_NULL : Op.IS_NULL, List.of());
    }
    throw error(t, "a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS) after "
        + input.substring(fieldToken.position(), Math.min(input.length(), t.position())).trim());
  }

  private Object value(Field field) {
    Token v = peek();
    if (field.isNumeric()) {
      if (v.kind() != Kind.NUMBER) throw error(v, "a number to compare with " + field);
      at++;
      return Double.parseDouble(v.text());
    }
    if (v.kind() != Kind.STRING) {
      throw error(v, "a quoted string to compare with " + field + " (e.g. 'GBM')");
    }
    at++;
    return v.text();
  }

  private Field field() {
    Token t = peek();
    if (t.kind() != Kind.WORD) {
      throw error(t, "a field such as metrics.auc, params.algo, tags.team or attributes.status");
    }
    String word = t.text();
    int dot = word.indexOf('.');
    String prefix = dot < 0 ? word : word.substring(0, dot);
    Field.Entity entity = Field.entityOf(prefix);
    if (dot < 0 && vocabulary.bareAttributes()) {
      String column = vocabulary.attributes().get(word.toLowerCase(Locale.ROOT));
      if (column != null) {
        at++;
        return new Field(Field.Entity.ATTRIBUTE, column);
      }
    }
    if (entity == null || !vocabulary.entities().contains(entity)) {
      throw error(t, vocabulary == Vocabulary.RUNS
          ? "a field starting with metrics., params., tags., attributes. or datasets."
          : "one of " + vocabulary.attributes().keySet() + " or tags.<key> to search " + vocabulary.what());
    }
    at++;
    String key;
    if (dot >= 0 && dot < word.length() - 1) {
      key = word.substring(dot + 1);
    } else {
      Token q = peek();
      if (dot < 0 || (q.kind() != Kind.QUOTED_NAME && q.kind() != Kind.STRING)
          || q.position() != t.position() + word.length()) {
        throw error(dot < 0 ? peek() : q, "'.' and a key after " + prefix);
      }
      at++;
      key = q.text();
      if (key.isEmpty()) throw error(q, "a non-empty key");
    }
    if (entity == Field.Entity.TAG && vocabulary == Vocabulary.RUNS && Field.MLFLOW_SYSTEM_TAGS.containsKey(key)) {
      return new Field(Field.Entity.ATTRIBUTE, Field.MLFLOW_SYSTEM_TAGS.get(key));
    }
    if (entity == Field.Entity.ATTRIBUTE) {
      String column = vocabulary.attributes().get(key.toLowerCase(Locale.ROOT));
      if (column == null) {
        throw error(t, "one of the attributes " + new java.util.TreeSet<>(vocabulary.attributes().keySet()));
      }
      key = column;
    } else if (entity == Field.Entity.DATASET) {
      String column = Field.DATASET_FIELDS.get(key.toLowerCase(Locale.ROOT));
      if (column == null) {
        throw error(t, "one of the dataset fields " + new java.util.TreeSet<>(Field.DATASET_FIELDS.keySet()));
      }
      key = column;
    }
    return new Field(entity, key);
  }

  private void expectEnd(String expected) {
    Token t = peek();
    if (t.kind() != Kind.END) throw error(t, expected);
  }

  private Token peek() {
    return tokens.get(at);
  }

  private FilterSyntaxException error(Token found, String expected) {
    return new FilterSyntaxException(input, found.position(), expected, found.describe());
  }
}
