package io.omelet.examples.bench;

import io.omelet.registry.search.FilterParser;
import io.omelet.registry.search.FilterSyntaxException;
import java.util.List;
import java.util.Random;

/**
 * The filter part of bin/bench faults: filter and order-by strings generated from the grammar and
 * then mutated (seeded), each given to the parser. Every one must either parse or raise the
 * grammar's own {@link FilterSyntaxException} with a position inside the string; anything else
 * (another exception, a stack overflow, a position outside the string) is counted as unexpected
 * and printed to stderr.
 */
final class FilterFuzz {
  private static final String[] ENTITIES = {"metrics", "params", "tags", "attributes", "datasets", "metric",
      "param", "tag", "attribute", "attr", "run", ""};
  private static final String[] KEYS = {"auc", "rmse", "`f1 score`", "\"learn rate\"", "status", "run_name",
      "start_time", "end_time", "run_id", "name", "digest", "context", "`omelet.kind`", "x", "", "`", "\"", "a.b"};
  private static final String[] OPS = {"=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "NOT LIKE", "IN", "NOT IN",
      "IS NULL", "IS NOT NULL", "==", "<>", "=<", "LIKEE", ""};
  private static final String[] VALUES = {"0.9", "-1", "1e308", "1e999", "NaN", "'GBM'", "\"gbm\"", "'%boost%'", "''",
      "'it''s'", "'unterminated", "FINISHED", "('a', 'b')", "()", "('a',)", "(1, 2, 3)", "0x10", "-", "+.5", "'\\''",
      "'\u00e9\u4e2d\ud83d\ude00'", "'\u0000'"};
  private static final String[] GOOD_FIELDS = {"metrics.auc", "metrics.`f1 score`", "params.\"learn rate\"",
      "params.algo", "tags.`omelet.kind`", "attributes.status", "attributes.start_time", "attributes.run_name"};
  private static final String[] GOOD_TESTS = {"> 0.9", "<= -1", "= 'GBM'", "!= 'x'", "LIKE '%boost%'",
      "ILIKE 'G%'", "IN ('a', 'b')", "NOT IN ('a')", "IS NULL", "IS NOT NULL"};
  private static final String[] JOINERS = {" AND ", " and ", " OR ", " or ", " ", " AND NOT ", " && ", ","};
  private static final String[] NOISE = {"(", ")", "'", "\"", "`", ".", ",", "=", "!", "<", ">", " ", "\t", "\n",
      "AND", "OR", "NOT", "IN", "IS", "NULL", "\u0000", "\uffff", "\ud800", "\\", "%", "_", "9", "e", "-"};

  /** Counts of one run. */
  record Result(int cases, int parsed, int refused, int unexpected) {}

  private FilterFuzz() {}

  static Result run(int cases, long seed) {
    Random rnd = new Random(seed);
    int parsed = 0;
    int refused = 0;
    int unexpected = 0;
    for (int i = 0; i < cases; i++) {
      String s = switch (rnd.nextInt(4)) {
        case 0 -> valid(rnd);
        case 1 -> mutate(rnd, valid(rnd));
        case 2 -> generate(rnd);
        default -> mutate(rnd, generate(rnd));
      };
      if (rnd.nextInt(50) == 0) s = nested(rnd);
      boolean orderBy = rnd.nextInt(10) == 0;
      try {
        if (orderBy) FilterParser.parseOrderBy(List.of(s));
        else FilterParser.parse(s);
        parsed++;
      } catch (FilterSyntaxException e) {
        if (e.position() < 0 || e.position() > s.length()) {
          unexpected++;
          report(s, "position " + e.position() + " outside the string of length " + s.length());
        } else {
          refused++;
        }
      } catch (RuntimeException | StackOverflowError e) {
        unexpected++;
        report(s, e.toString());
      }
    }
    return new Result(cases, parsed, refused, unexpected);
  }

  private static void report(String s, String what) {
    String shown = s.length() > 120 ? s.substring(0, 120) + "... (" + s.length() + " chars)" : s;
    System.err.println("filter fuzz: unexpected for [" + shown.replace("\n", "\\n") + "]: " + what);
  }

  /** A filter from the grammar (mostly valid, sometimes with a wrong entity, key, operator or value). */
  private static String generate(Random rnd) {
    int terms = 1 + rnd.nextInt(4);
    StringBuilder b = new StringBuilder();
    for (int t = 0; t < terms; t++) {
      if (t > 0) b.append(pick(rnd, JOINERS));
      boolean paren = rnd.nextInt(4) == 0;
      if (rnd.nextInt(6) == 0) b.append("NOT ");
      if (paren) b.append('(');
      b.append(pick(rnd, ENTITIES)).append('.').append(pick(rnd, KEYS)).append(' ').append(pick(rnd, OPS));
      String op = b.substring(b.lastIndexOf(" ") + 1);
      if (!op.equals("NULL")) b.append(' ').append(pick(rnd, VALUES));
      if (paren) b.append(')');
    }
    return b.toString();
  }

  /** A filter the grammar accepts, unless a field's type rules out the test (e.g. a string compared with {@code >}). */
  private static String valid(Random rnd) {
    int terms = 1 + rnd.nextInt(5);
    StringBuilder b = new StringBuilder();
    int open = 0;
    for (int t = 0; t < terms; t++) {
      if (t > 0) b.append(rnd.nextBoolean() ? " AND " : " OR ");
      if (rnd.nextInt(5) == 0) b.append("NOT ");
      if (rnd.nextInt(4) == 0) {
        b.append('(');
        open++;
      }
      b.append(pick(rnd, GOOD_FIELDS)).append(' ').append(pick(rnd, GOOD_TESTS));
      if (open > 0 && rnd.nextBoolean()) {
        b.append(')');
        open--;
      }
    }
    return b + ")".repeat(open);
  }

  /** One to five edits: a character or token inserted, deleted, replaced or doubled. */
  private static String mutate(Random rnd, String s) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + rnd.nextInt(5);
    for (int e = 0; e < edits; e++) {
      int at = b.length() == 0 ? 0 : rnd.nextInt(b.length() + 1);
      switch (rnd.nextInt(5)) {
        case 0 -> b.insert(at, pick(rnd, NOISE));
        case 1 -> {
          if (b.length() > 0 && at < b.length()) b.deleteCharAt(at);
        }
        case 2 -> {
          if (b.length() > 0 && at < b.length()) b.setCharAt(at, (char) rnd.nextInt(0x3000));
        }
        case 3 -> {
          int end = Math.min(b.length(), at + 1 + rnd.nextInt(10));
          b.insert(at, b.substring(at, end));
        }
        default -> b.insert(at, pick(rnd, NOISE).repeat(1 + rnd.nextInt(3)));
      }
    }
    return b.toString();
  }

  /** Deep nesting: parentheses or NOTs thousands deep (a recursive parser must not overflow its stack). */
  private static String nested(Random rnd) {
    int depth = 500 + rnd.nextInt(20_000);
    String core = "metrics.auc > 0.5";
    return switch (rnd.nextInt(3)) {
      case 0 -> "(".repeat(depth) + core + ")".repeat(depth);
      case 1 -> "NOT ".repeat(depth) + core;
      default -> "(".repeat(depth) + core;
    };
  }

  private static String pick(Random rnd, String[] from) {
    return from[rnd.nextInt(from.length)];
  }
}
