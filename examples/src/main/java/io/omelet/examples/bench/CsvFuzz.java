package io.omelet.examples.bench;

import io.omelet.commands.CommandContext;
import io.omelet.commands.CommandSink;
import io.omelet.commands.OmeletCommands;
import io.omelet.examples.DataDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * The CSV part of bin/bench faults: mutated copies of real CSV files (ragged rows, bad quotes,
 * wrong types, empty, binary, truncated, odd headers and encodings; seeded) go through the command
 * layer as a user would send them: {@code omelet profile -f FILE} and {@code omelet run -f FILE
 * --target T --dry-run} (every check AutoML makes before training). Each must end in a result or
 * a clear error: a known bad-input error with a one-line message that names no Java exception
 * class. Anything else (an unexpected exception, a raw exception name, a command that hangs) is
 * counted in {@code csv_fuzz_unexpected}.
 */
final class CsvFuzz {
  /** What the fuzzing saw. */
  record Result(int cases, int results, int clearErrors, int unexpected, List<String> firstUnexpected) {}

  /** A base file: the first rows of a data set of data/ and the column to predict. */
  private record Base(String file, String target) {}

  private static final List<Base> BASES = List.of(new Base("mlc_churn.csv", "churn"),
      new Base("penguins.csv", "species"), new Base("german_credit.csv", "class"),
      new Base("credit_data.csv", "Status"));
  private static final int BASE_ROWS = 150;
  private static final Pattern RAW_EXCEPTION =
      Pattern.compile("\\b(java|javax|scala|org|com|sun)(\\.[A-Za-z0-9_$]+)+(Exception|Error)\\b");
  private static final String[] WRONG_VALUES = {"abc", "1e999", "NaN", "", "--", "1,5", "\"\"", "null", "∞", "0x1F",
      "9".repeat(40), "-", "TRUE", " 12 ", "\u0000"};

  private CsvFuzz() {}

  static Result run(SparkSession spark, Path work, int cases, long seed) throws IOException {
    List<List<String>> bases = new ArrayList<>();
    for (Base b : BASES) {
      List<String> lines = Files.readAllLines(DataDir.get().resolve(b.file()), StandardCharsets.UTF_8);
      bases.add(new ArrayList<>(lines.subList(0, Math.min(lines.size(), BASE_ROWS + 1))));
    }
    Random rnd = new Random(seed);
    int results = 0;
    int clear = 0;
    int unexpected = 0;
    List<String> first = new ArrayList<>();
    ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "csv-fuzz");
      t.setDaemon(true);
      return t;
    });
    try {
      for (int i = 0; i < cases; i++) {
        int which = rnd.nextInt(BASES.size());
        Base base = BASES.get(which);
        String file = "case-" + i + ".csv";
        StringBuilder applied = new StringBuilder();
        Files.write(work.resolve(file), mutate(rnd, bases.get(which), applied));
        String target = rnd.nextInt(20) == 0 ? base.target().toUpperCase() : base.target();
        String[][] commands = {
            {"profile", "-f", file, "-o", "out-" + i},
            {"run", "-f", file, "--target", target, "--dry-run", "--registry", work.resolve("registry").toString()}};
        for (String[] args : commands) {
          CommandContext ctx = CommandContext.of(spark, CommandSink.collecting(), work);
          Future<OmeletCommands.Outcome> f = runner.submit(() -> OmeletCommands.execute(ctx, args));
          String bad = null;
          try {
            OmeletCommands.Outcome o = f.get(180, TimeUnit.SECONDS);
            if (o.ok()) results++;
            else if (o.unexpected()) bad = "unexpected: " + o.error();
            else if (o.error() == null || o.error().isBlank()) bad = "an error without a message";
            else if (RAW_EXCEPTION.matcher(o.error()).find()) bad = "a raw exception: " + o.error();
            else clear++;
          } catch (TimeoutException e) {
            ctx.cancel();
            bad = "no answer in 180 s";
          } catch (Exception e) {
            bad = "thrown: " + e;
          }
          if (bad != null) {
            unexpected++;
            String what = String.join(" ", args) + " [" + applied + "]: " + bad;
            System.err.println("csv fuzz: " + what);
            if (first.size() < 10) first.add(what);
          }
        }
        Files.deleteIfExists(work.resolve(file));
      }
    } finally {
      runner.shutdownNow();
    }
    return new Result(cases, results, clear, unexpected, first);
  }

  /** One to three mutations of the base lines, named in {@code applied}; the file's bytes. */
  static byte[] mutate(Random rnd, List<String> base, StringBuilder applied) {
    List<String> lines = new ArrayList<>(base);
    String sep = "\n";
    byte[] prefix = new byte[0];
    boolean binary = false;
    for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
      int row = 1 + rnd.nextInt(lines.size() - 1);
      int kind = rnd.nextInt(16);
      applied.append(applied.length() == 0 ? "" : ",").append(kind);
      switch (kind) {
        case 0 -> lines.set(row, lines.get(row).replaceFirst(",", "")); // a field too few
        case 1 -> lines.set(row, lines.get(row) + ",extra"); // a field too many
        case 2 -> { // a lone quote
          String l = lines.get(row);
          int at = rnd.nextInt(l.length() + 1);
          lines.set(row, l.substring(0, at) + "\"" + l.substring(at));
        }
        case 3 -> { // a wrong value in a field
          String[] f = lines.get(row).split(",", -1);
          f[rnd.nextInt(f.length)] = WRONG_VALUES[rnd.nextInt(WRONG_VALUES.length)];
          lines.set(row, String.join(",", f));
        }
        case 4 -> { // a column of wrong values
          int col = rnd.nextInt(lines.get(0).split(",", -1).length);
          String v = WRONG_VALUES[rnd.nextInt(WRONG_VALUES.length)];
          for (int r = 1; r < lines.size(); r++) {
            String[] f = lines.get(r).split(",", -1);
            if (col < f.length) f[col] = v;
            lines.set(r, String.join(",", f));
          }
        }
        case 5 -> lines = new ArrayList<>(lines.subList(0, rnd.nextInt(3))); // empty, header only or one row
        case 6 -> { // the file cut in the middle of a row
          String l = lines.get(row);
          lines = new ArrayList<>(lines.subList(0, row));
          lines.add(l.substring(0, rnd.nextInt(l.length() + 1)));
        }
        case 7 -> { // header names: duplicated, empty, dotted, quoted, back-ticked
          String[] h = lines.get(0).split(",", -1);
          int c = rnd.nextInt(h.length);
          String[] names = {h[(c + 1) % h.length], "", "a.b", "\"x\"\"y\"", "`c`", "  ", "é ü", "#", "a,b"};
          h[c] = names[rnd.nextInt(names.length)];
          lines.set(0, String.join(",", h));
        }
        case 8 -> { // binary: random bytes over part of the text or all of it
          byte[] junk = new byte[1 + rnd.nextInt(4096)];
          rnd.nextBytes(junk);
          String j = new String(junk, StandardCharsets.ISO_8859_1);
          binary = true;
          if (rnd.nextBoolean()) lines = new ArrayList<>(List.of(j));
          else lines.set(row, j);
        }
        case 9 -> sep = "\r\n";
        case 10 -> prefix = new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}; // a UTF-8 byte order mark
        case 11 -> lines.replaceAll(l -> l.replace(',', ';')); // another delimiter
        case 12 -> lines.set(row, lines.get(row) + "," + "x".repeat(100_000)); // a huge field
        case 13 -> { // blank lines and a row of empty fields
          lines.add(row, "");
          lines.add(row, ",".repeat(lines.get(0).split(",", -1).length - 1));
        }
        case 14 -> lines.set(row, lines.get(row).replace("a", "\u00e9\u0000")); // NULs and accents
        default -> { // a quoted field holding a newline and doubled quotes
          String[] f = lines.get(row).split(",", -1);
          f[rnd.nextInt(f.length)] = "\"two\nlines \"\"quoted\"\"\"";
          lines.set(row, String.join(",", f));
        }
      }
      if (lines.size() < 2) break;
    }
    // Binary junk was made as ISO-8859-1 text: written back so, its bytes are what was drawn.
    byte[] text = (String.join(sep, lines) + (lines.isEmpty() ? "" : sep))
        .getBytes(binary ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    byte[] out = new byte[prefix.length + text.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(text, 0, out, prefix.length, text.length);
    return out;
  }
}
