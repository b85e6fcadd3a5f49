package io.omelet.commands;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Where a command's rows come from (a file, a catalog table or view, a Delta folder) and the checks
 * that turn bad input into one clear line before any real work: a missing or empty file, a CSV
 * with ragged rows (the line is named), an unknown table, an unknown or useless target column.
 */
public final class DataInput {
  public enum Kind { FILE, TABLE, DELTA }

  /** CSV files up to this size are checked for ragged rows before Spark reads them. */
  static final long SHAPE_CHECK_BYTES = 2L << 30;

  private final Kind kind;
  private final String location;

  private DataInput(Kind kind, String location) {
    this.kind = kind;
    this.location = location;
  }

  public static DataInput file(String path) {
    return new DataInput(Kind.FILE, path);
  }

  public static DataInput table(String name) {
    return new DataInput(Kind.TABLE, name);
  }

  public static DataInput delta(String path) {
    return new DataInput(Kind.DELTA, path);
  }

  /** Exactly one of the three. */
  public static DataInput of(String file, String table, String delta) {
    int given = (file != null ? 1 : 0) + (table != null ? 1 : 0) + (delta != null ? 1 : 0);
    if (given != 1) {
      throw new CommandException((given == 0 ? "no input: give " : "several inputs: give only one of ")
          + "-f/--file FILE, --table NAME or --delta PATH");
    }
    return file != null ? file(file) : table != null ? table(table) : delta(delta);
  }

  public Kind kind() {
    return kind;
  }

  public String location() {
    return location;
  }

  /** A short name for experiments and models: the file's name without extension, the table's, the folder's. */
  public String name() {
    String s = location.replaceAll("/+$", "");
    s = s.substring(s.lastIndexOf('/') + 1);
    if (kind == Kind.FILE) s = s.replaceAll("(?i)\\.(csv|csv\\.gz|parquet|json|jsonl|orc)$", "");
    if (kind == Kind.TABLE) s = s.substring(s.lastIndexOf('.') + 1);
    s = s.replaceAll("[^A-Za-z0-9_-]", "_");
    return s.isEmpty() ? "data" : s;
  }

  /** Reads the rows; fails with one line naming the input and what is wrong. */
  public Dataset<Row> read(CommandContext ctx) {
    SparkSession spark = ctx.spark();
    Dataset<Row> df = switch (kind) {
      case TABLE -> readTable(spark);
      case DELTA -> readDelta(spark, ctx.resolvePath(location));
      case FILE -> readFile(spark, ctx.resolvePath(location));
    };
    if (df.columns().length == 0) throw new CommandException(location + " has no columns");
    return df;
  }

  private Dataset<Row> readTable(SparkSession spark) {
    if (!spark.catalog().tableExists(location)) {
      List<String> names = new ArrayList<>();
      for (org.apache.spark.sql.catalog.Table t : spark.catalog().listTables().collectAsList()) names.add(t.name());
      throw new CommandException("no table or view named '" + location + "'; "
          + (names.isEmpty() ? "the session has none" : "the session has " + String.join(", ", names.subList(0, Math.min(10, names.size())))));
    }
    return spark.table(location);
  }

  private Dataset<Row> readDelta(SparkSession spark, String path) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) throw new CommandException("no such Delta table folder: " + path);
      if (!fs.exists(new Path(p, "_delta_log"))) throw new CommandException(path + " is not a Delta table (no _delta_log folder)");
      return spark.read().format("delta").load(path);
    } catch (IOException e) {
      throw new CommandException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private Dataset<Row> readFile(SparkSession spark, String path) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path p = new Path(path);
    String format = format(path);
    try {
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p)) throw new CommandException("no such file: " + path);
      FileStatus st = fs.getFileStatus(p);
      if (st.isFile()) {
        if (st.getLen() == 0) throw new CommandException(path + " is empty");
        try (InputStream in = fs.open(p)) {
          in.read();
        } catch (IOException e) {
          throw new CommandException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (format.equals("csv") && st.getLen() <= SHAPE_CHECK_BYTES) checkCsvShape(fs, p, path);
      } else if (Arrays.stream(fs.listStatus(p)).noneMatch(s -> s.isFile() && !s.getPath().getName().startsWith("_")
          && !s.getPath().getName().startsWith("."))) {
        throw new CommandException(path + " is a folder without data files");
      }
    } catch (IOException e) {
      throw new CommandException("cannot read " + path + ": " + e.getMessage(), e);
    }
    try {
      Dataset<Row> df = switch (format) {
        case "csv" -> spark.read().option("header", "true").option("inferSchema", "true").option("mode", "FAILFAST")
            .option("multiLine", "true").option("escape", "\"").csv(path);
        case "parquet" -> spark.read().parquet(path);
        case "json" -> spark.read().option("mode", "FAILFAST").json(path);
        case "orc" -> spark.read().orc(path);
        default -> throw new IllegalStateException(format);
      };
      return df;
    } catch (CommandException e) {
      throw e;
    } catch (RuntimeException e) {
      String msg = Errors.oneLine(e);
      if (format.equals("parquet") && (msg.contains("not a Parquet file") || msg.contains("magic number"))) {
        throw new CommandException(path + " is not a Parquet file", e);
      }
      throw new CommandException("cannot read " + path + " as " + format + ": " + msg, e);
    }
  }

  static String format(String path) {
    String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
    if (p.endsWith(".parquet")) return "parquet";
    if (p.endsWith(".json") || p.endsWith(".jsonl")) return "json";
    if (p.endsWith(".orc")) return "orc";
    return "csv";
  }

  /**
   * Counts each record's fields (quotes may hold commas, doubled quotes and newlines) and names
   * the first record whose count differs from the header's; a header alone is "no data rows".
   */
  static void checkCsvShape(FileSystem fs, Path p, String shown) throws IOException {
    checkText(open(fs, p), shown);
    InputStream raw = open(fs, p);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8), 1 << 16)) {
      int header = -1;
      long records = 0;
      long line = 1;
      long recordLine = 1;
      int fields = 1;
      boolean inQuotes = false;
      boolean empty = true;
      int c;
      while ((c = r.read()) != -1) {
        if (inQuotes) {
          if (c == '"') {
            r.mark(1);
            int n = r.read();
            if (n != '"') {
              inQuotes = false;
              if (n == -1) break;
              r.reset();
            }
          } else if (c == '\n') {
            line++;
          }
          continue;
        }
        if (c == '"') {
          inQuotes = true;
          empty = false;
        } else if (c == ',') {
          fields++;
          empty = false;
        } else if (c == '\n' || c == '\r') {
          if (c == '\r') {
            r.mark(1);
            if (r.read() != '\n') r.reset();
          }
          if (!empty) {
            if (header < 0) header = fields;
            else if (fields != header) throw ragged(shown, recordLine, fields, header);
            else records++;
          }
          line++;
          recordLine = line;
          fields = 1;
          empty = true;
        } else {
          empty = false;
        }
      }
      if (inQuotes) throw new CommandException(shown + " line " + recordLine + ": a quoted field is never closed");
      if (!empty) {
        if (header < 0) header = fields;
        else if (fields != header) throw ragged(shown, recordLine, fields, header);
        else records++;
      }
      if (header < 0) throw new CommandException(shown + " is empty");
      if (records == 0) throw new CommandException(shown + " has a header and no data rows");
    }
  }

  private static InputStream open(FileSystem fs, Path p) throws IOException {
    InputStream raw = fs.open(p);
    return p.getName().toLowerCase(Locale.ROOT).endsWith(".gz") ? new GZIPInputStream(raw) : raw;
  }

  /** Bytes looked at to tell a text file from a binary one. */
  static final int TEXT_CHECK_BYTES = 1 << 16;

  /**
   * Refuses a file whose start is not UTF-8 text (a NUL byte, or bytes that are not UTF-8):
   * Spark would read it as garbled rows or fail on a record deep inside a job.
   */
  static void checkText(InputStream in, String shown) throws IOException {
    byte[] head;
    try (in) {
      head = in.readNBytes(TEXT_CHECK_BYTES);
    }
    for (int i = 0; i < head.length; i++) {
      if (head[i] == 0) {
        throw new CommandException(shown + " is not a text CSV file: it has a NUL byte at offset " + i
            + " (a binary file?)");
      }
    }
    java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(head);
    // the last character may be cut at the end of the sample: not at end of input
    java.nio.charset.CoderResult r = utf8.decode(bytes, java.nio.CharBuffer.allocate(head.length), false);
    if (r.isError()) {
      throw new CommandException(shown + " is not UTF-8 text: byte " + bytes.position() + " is 0x"
          + String.format("%02x", head[bytes.position()] & 0xff) + "; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8)");
    }
  }

  private static CommandException ragged(String file, long line, int fields, int header) {
    return new CommandException(file + " line " + line + ": " + fields + " field" + (fields == 1 ? "" : "s")
        + ", the header has " + header);
  }

  /**
   * Parses {@code --sample}: empty for all rows, a whole number of rows (at least 2), or a
   * fraction in (0, 1). Returns the value of AutoML's {@code sample} param (0 for all rows).
   */
  public static double parseSample(String s) {
    if (s == null || s.isBlank()) return 0;
    double v;
    try {
      v = Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a row count or a fraction in (0, 1), got '" + s + "'");
    }
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("must be a row count of 1 or more or a fraction in (0, 1), got " + s);
    }
    if (v >= 1 && v != Math.rint(v)) {
      throw new IllegalArgumentException("a row count must be a whole number, got " + s + " (a fraction is below 1)");
    }
    if (v == 1) throw new IllegalArgumentException("1 would train on a single row; give a row count of 2 or more, or a fraction");
    return v;
  }

  /**
   * Checks the target column: it exists (a different case is accepted; else the close names are
   * listed), is not null in every row and has two values at least. Returns its real name.
   */
  public static String checkTarget(Dataset<Row> df, String target) {
    String name = null;
    for (String c : df.columns()) if (c.equals(target)) name = c;
    if (name == null) for (String c : df.columns()) if (c.equalsIgnoreCase(target)) name = c;
    if (name == null) {
      List<String> close = closeMatches(target, Arrays.asList(df.columns()));
      throw new CommandException("target column '" + target + "' does not exist"
          + (close.isEmpty() ? "" : "; close matches: " + String.join(", ", close))
          + "; the columns are " + String.join(", ", df.columns()));
    }
    Column c = df.col("`" + name + "`");
    Row r = df.agg(functions.count(functions.lit(1)), functions.count(c), functions.approx_count_distinct(c),
        functions.first(c, true)).head();
    long rows = r.getLong(0), nonNull = r.getLong(1);
    if (rows == 0) throw new CommandException("the input has no rows");
    if (nonNull == 0) throw new CommandException("target column '" + name + "' is null in every row (" + rows + " rows)");
    if (r.getLong(2) <= 1 && df.select(c).na().drop().distinct().limit(2).count() < 2) {
      throw new CommandException("target column '" + name + "' has a single value '" + r.get(3) + "' in all "
          + nonNull + " labelled rows: nothing to predict");
    }
    return name;
  }

  /** Up to three names within edit distance 2 (case ignored) or sharing a prefix of 3. */
  static List<String> closeMatches(String wanted, List<String> names) {
    String w = wanted.toLowerCase(Locale.ROOT);
    return names.stream()
        .filter(n -> distance(w, n.toLowerCase(Locale.ROOT)) <= Math.max(2, w.length() / 4)
            || (w.length() >= 3 && n.toLowerCase(Locale.ROOT).startsWith(w.substring(0, 3))))
        .sorted(Comparator.comparingInt(n -> distance(w, n.toLowerCase(Locale.ROOT))))
        .limit(3).toList();
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
