package io.omelet.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The one set of rules by which an input value becomes what a model's feature takes: a double for
 * a numeric feature, a level index for a categorical one, NaN for missing. Every path uses it:
 * Spark columns ({@link FeatureBinding}: SQL functions, MojoScorer, SHAP), JSON rows (the REST
 * server) and, for the Spark types, the move of training data into H2O (SparkToH2O), so a value
 * means the same thing when a model is trained, scored in SQL and scored over REST.
 *
 * <p>The rules, per kind of value:
 * <ul>
 *   <li>null (SQL NULL, JSON null) is missing, for every feature;</li>
 *   <li>numeric feature: numbers as they are (decimals to the nearest double); a boolean is 1 or 0;
 *       a date is epoch milliseconds at midnight UTC and a timestamp epoch milliseconds (as H2O
 *       stores time columns); text is trimmed, empty text and "NaN" are missing, a number in Java's
 *       (and Spark's {@code CAST AS DOUBLE}) syntax is that number, an ISO-8601 date
 *       ({@code 2024-01-31}) or date-time ({@code 2024-01-31T10:15:00[.sss][Z|+01:00]}, a space for
 *       the T allowed, UTC when no offset is given) is epoch milliseconds; any other text, and a
 *       JSON array or object, is <em>not coercible</em>;</li>
 *   <li>categorical feature: text is the level's name (exactly, case and spaces kept); a boolean is
 *       the level {@code true} or {@code false} (how H2O names a boolean column's levels); an
 *       integer is its decimal text; a fractional number is its text, except that a whole number
 *       such as 3.0 names the level {@code 3} when the model has one; a level the model never saw
 *       is missing (as h2o-genmodel scores it); a JSON array or object is not coercible.</li>
 * </ul>
 * What happens to a value that is not coercible is the caller's policy: REST answers 422 naming
 * the row and field; Spark paths score it as missing and count it ({@link CoercionPolicy}), or
 * fail when {@code spark.omelet.scoring.strict=true}. Spark column types other than those above
 * (arrays, maps, structs, binary) are refused when a schema is bound, before any job runs.
 */
public final class FeatureCodec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How a value of a Spark column type is read from an internal row. */
  public enum SparkKind {
    DOUBLE, FLOAT, INT, LONG, SHORT, BYTE, DECIMAL, BOOLEAN, STRING, DATE, TIMESTAMP;

    /** The kind of a Spark type; null for a type no feature can take (array, map, struct, binary). */
    public static SparkKind of(DataType t) {
      if (t instanceof DoubleType) return DOUBLE;
      if (t instanceof FloatType) return FLOAT;
      if (t instanceof IntegerType) return INT;
      if (t instanceof LongType) return LONG;
      if (t instanceof ShortType) return SHORT;
      if (t instanceof ByteType) return BYTE;
      if (t instanceof DecimalType) return DECIMAL;
      if (t instanceof BooleanType) return BOOLEAN;
      if (t instanceof StringType) return STRING;
      if (t instanceof DateType) return DATE;
      if (t instanceof TimestampType || t instanceof TimestampNTZType) return TIMESTAMP;
      return null;
    }

    boolean integral() {
      return this == INT || this == LONG || this == SHORT || this == BYTE;
    }

    boolean fractional() {
      return this == DOUBLE || this == FLOAT || this == DECIMAL;
    }

    /** Whether a categorical feature can take this kind (dates and timestamps are time, not levels). */
    boolean categorical() {
      return this != DATE && this != TIMESTAMP;
    }
  }

  /**
   * A value that is not coercible to its feature. Thrown without a stack trace: on a Spark path it
   * is counted per cell, and the policy decides whether it ever leaves the codec.
   */
  public static final class NotCoercible extends Exception {
    private static final long serialVersionUID = 1L;
    private final String value;
    private final String expected;

    NotCoercible(String value, String expected) {
      super(value + " is not " + expected, null, false, false);
      this.value = value;
      this.expected = expected;
    }

    /** The offending value as the message shows it (strings quoted, abbreviated). */
    public String value() {
      return value;
    }

    /** What the feature takes, e.g. "a number, an ISO date or date-time, or null". */
    public String expected() {
      return expected;
    }
  }

  static final String NUMBER = "a number, an ISO-8601 date or date-time, or null";
  static final String LEVEL = "a level (a string, number or boolean) or null";
  private static final UTF8String TRUE = UTF8String.fromString("true");
  private static final UTF8String FALSE = UTF8String.fromString("false");

  private final String[] features;
  /** Per categorical feature: level bytes to level index (UTF8String keys: no String per Spark cell). */
  private final Map<UTF8String, Integer>[] levels;
  /** Lower-cased feature name to feature index: inputs match features by name ignoring case. */
  private final Map<String, Integer> byLowerName;

  @SuppressWarnings("unchecked")
  private FeatureCodec(String[] features, String[][] domains) {
    this.features = features.clone();
    this.levels = new Map[features.length];
    this.byLowerName = new HashMap<>();
    for (int f = 0; f < features.length; f++) {
      byLowerName.putIfAbsent(features[f].toLowerCase(Locale.ROOT), f);
      String[] domain = domains[f];
      if (domain != null) {
        Map<UTF8String, Integer> m = new HashMap<>(domain.length * 2);
        for (int l = 0; l < domain.length; l++) m.put(UTF8String.fromString(domain[l]), l);
        levels[f] = m;
      }
    }
  }

  /** A codec for features and their levels (null for a numeric feature) given directly. */
  public static FeatureCodec of(String[] features, String[][] domains) {
    if (features.length != domains.length) {
      throw new IllegalArgumentException(features.length + " features but " + domains.length + " domains");
    }
    return new FeatureCodec(features, domains);
  }

  public String[] features() {
    return features.clone();
  }

  public int size() {
    return features.length;
  }

  public boolean categorical(int f) {
    return levels[f] != null;
  }

  /** The feature an input field or column name matches (ignoring case), or -1. */
  public int indexOf(String name) {
    Integer f = byLowerName.get(name.toLowerCase(Locale.ROOT));
    return f == null ? -1 : f;
  }

  /** Whether feature {@code f} can take a Spark column of {@code kind} at all. */
  public boolean accepts(int f, SparkKind kind) {
    return kind != null && (!categorical(f) || kind.categorical());
  }

  // ------------------------------------------------------------ Spark values

  /**
   * Feature {@code f}'s value from ordinal {@code o} of a Spark internal row whose column is of
   * {@code kind} (and {@code type}, for decimals); the caller has checked {@link #accepts}.
   */
  public double fromSpark(int f, InternalRow in, int o, SparkKind kind, DataType type) throws NotCoercible {
    if (in.isNullAt(o)) return Double.NaN;
    if (levels[f] == null) {
      return kind == SparkKind.STRING ? parseNumber(in.getUTF8String(o).toString()) : sparkNumber(in, o, kind, type);
    }
    return switch (kind) {
      case STRING -> level(f, in.getUTF8String(o));
      case BOOLEAN -> level(f, in.getBoolean(o) ? TRUE : FALSE);
      case INT, LONG, SHORT, BYTE -> level(f, UTF8String.fromString(Long.toString(sparkLong(in, o, kind))));
      case DOUBLE, FLOAT, DECIMAL -> level(f, UTF8String.fromString(levelText(f, sparkNumber(in, o, kind, type))));
      default -> throw new IllegalStateException(kind + " is not a level");
    };
  }

  /**
   * A non-null Spark value of a numeric, boolean, date or timestamp column as a number: the one
   * reading of those types, used for scoring and for training (SparkToH2O).
   */
  public static double sparkNumber(InternalRow in, int o, SparkKind kind, DataType type) {
    return switch (kind) {
      case DOUBLE -> in.getDouble(o);
      case FLOAT -> in.getFloat(o);
      case INT -> in.getInt(o);
      case LONG -> in.getLong(o);
      case SHORT -> in.getShort(o);
      case BYTE -> in.getByte(o);
      case DECIMAL -> {
        DecimalType dt = (DecimalType) type;
        yield in.getDecimal(o, dt.precision(), dt.scale()).toDouble();
      }
      case BOOLEAN -> in.getBoolean(o) ? 1.0 : 0.0;
      case DATE -> in.getInt(o) * 86_400_000.0;
      case TIMESTAMP -> (double) Math.floorDiv(in.getLong(o), 1000L);
      case STRING -> throw new IllegalStateException("text is parsed, not read as a number");
    };
  }

  private static long sparkLong(InternalRow in, int o, SparkKind kind) {
    return switch (kind) {
      case INT -> in.getInt(o);
      case LONG -> in.getLong(o);
      case SHORT -> in.getShort(o);
      default -> in.getByte(o);
    };
  }

  // ------------------------------------------------------------ JSON values

  /** Feature {@code f}'s value from a JSON field's value. */
  public double fromJson(int f, JsonNode v) throws NotCoercible {
    if (v == null || v.isNull()) return Double.NaN;
    if (levels[f] == null) {
      if (v.isNumber()) return v.doubleValue();
      if (v.isBoolean()) return v.booleanValue() ? 1.0 : 0.0;
      if (v.isTextual()) return parseNumber(v.textValue());
      throw new NotCoercible("a JSON " + jsonKind(v), NUMBER);
    }
    String text;
    if (v.isTextual()) text = v.textValue();
    else if (v.isBoolean()) text = v.booleanValue() ? "true" : "false";
    else if (v.isIntegralNumber()) text = v.asText();
    else if (v.isNumber()) text = levelText(f, v.doubleValue());
    else throw new NotCoercible("a JSON " + jsonKind(v), LEVEL);
    return level(f, UTF8String.fromString(text));
  }

  /** A JSON value's kind as a person names it: array, object, string, number, boolean, null. */
  public static String jsonKind(JsonNode v) {
    return switch (v.getNodeType()) {
      case ARRAY -> "array";
      case OBJECT, POJO -> "object";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      default -> v.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  // ------------------------------------------------------------ the shared rules

  private double level(int f, UTF8String text) {
    Integer idx = levels[f].get(text);
    return idx == null ? Double.NaN : idx;
  }

  /** A fractional number as a level's text: "3" for 3.0 when the model has a level "3", else Java's text. */
  private String levelText(int f, double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      String asLong = Long.toString((long) d);
      if (levels[f].containsKey(UTF8String.fromString(asLong))) return asLong;
    }
    return Double.toString(d);
  }

  /** Text for a numeric feature: a number, an ISO-8601 date or date-time (epoch ms), or missing. */
  public static double parseNumber(String raw) throws NotCoercible {
    String s = raw.trim();
    if (s.isEmpty()) return Double.NaN;
    if (looksLikeDate(s)) {
      double ms = epochMillis(s);
      if (!Double.isNaN(ms)) return ms;
    } else {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new NotCoercible("the string \"" + abbreviate(raw) + "\"", NUMBER);
  }

  private static boolean looksLikeDate(String s) {
    return s.length() >= 10 && s.charAt(4) == '-' && s.charAt(7) == '-'
        && Character.isDigit(s.charAt(0)) && Character.isDigit(s.charAt(5)) && Character.isDigit(s.charAt(8));
  }

  /** Epoch milliseconds of an ISO-8601 date or date-time (UTC without an offset); NaN if it is neither. */
  private static double epochMillis(String s) {
    try {
      if (s.length() == 10) return LocalDate.parse(s).toEpochDay() * 86_400_000.0;
      String t = s.charAt(10) == ' ' ? s.substring(0, 10) + 'T' + s.substring(11) : s;
      char last = t.charAt(t.length() - 1);
      boolean offset = last == 'Z' || last == 'z' || t.lastIndexOf('+') > 10 || t.lastIndexOf('-') > 10;
      if (offset) return OffsetDateTime.parse(t.replace('z', 'Z')).toInstant().toEpochMilli();
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
      return Double.NaN;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
