package io.omelet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.omelet.commands.CommandContext;
import io.omelet.commands.CommandResult;
import io.omelet.commands.CommandSink;
import io.omelet.commands.ProgressEvent;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Renders command results for a terminal: aligned tables, {@code key: value} lines, CSV or JSON
 * on stdout when asked (messages then go to stderr, so stdout stays parseable), progress bars on
 * stderr when it is a terminal and a line per phase change otherwise.
 */
final class TerminalSink implements CommandSink {
  private static final int MAX_CELL = 60;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final PrintStream err;
  private final boolean interactive;
  private final Supplier<CommandContext.Format> format;
  private final Map<String, ProgressBar> bars = new HashMap<>();
  private final Map<String, String> lastLine = new HashMap<>();
  private final Map<String, Long> lastLineAt = new HashMap<>();

  TerminalSink(PrintStream out, PrintStream err, boolean interactive, Supplier<CommandContext.Format> format) {
    this.out = out;
    this.err = err;
    this.interactive = interactive;
    this.format = format;
  }

  @Override
  public synchronized void result(CommandResult r) {
    closeBars();
    CommandContext.Format f = format.get();
    boolean data = f != CommandContext.Format.TABLE;
    PrintStream msg = data ? err : out;
    if (r instanceof CommandResult.Text t) {
      msg.println(t.text());
    } else if (r instanceof CommandResult.Table t) {
      if (f == CommandContext.Format.JSON) out.println(json(rowsAsObjects(t)));
      else if (f == CommandContext.Format.CSV) printCsv(t);
      else printTable(t);
      if (t.truncated()) msg.println("(" + t.rows().size() + " of " + t.totalRows() + " rows shown)");
    } else if (r instanceof CommandResult.Values v) {
      if (f == CommandContext.Format.JSON) {
        out.println(json(v.values()));
      } else {
        msg.println(v.title() + ":");
        int w = v.values().keySet().stream().mapToInt(String::length).max().orElse(0);
        v.values().forEach((k, x) -> msg.println("  " + pad(k + ":", w + 1) + " " + x));
      }
    } else if (r instanceof CommandResult.Files fs) {
      msg.println(fs.title() + ":");
      int w = fs.files().stream().mapToInt(x -> x.what().length()).max().orElse(0);
      fs.files().forEach(x -> msg.println("  " + pad(x.what(), w) + "  " + x.path()));
    }
    // Html: a terminal cannot show it; commands that make it also write it to a file they name.
    msg.flush();
    out.flush();
  }

  @Override
  public synchronized void progress(ProgressEvent e) {
    if (interactive) {
      ProgressBar bar = bars.get(e.step());
      if (e.done()) {
        if (bar != null) {
          bar.stepTo(1000);
          bar.close();
          bars.remove(e.step());
        }
        return;
      }
      if (bar == null) {
        bar = new ProgressBarBuilder().setTaskName(e.step()).setInitialMax(1000).setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new ConsoleProgressBarConsumer(err, 110)).setUpdateIntervalMillis(500)
            .build();
        bars.put(e.step(), bar);
      }
      if (e.percent() >= 0) bar.stepTo(Math.round(e.percent() * 10));
      bar.setExtraMessage(shorten(e.message(), 45));
    } else {
      // Not a terminal (a log, CI): a line when the phase changes; when its headline (before
      // ';', e.g. "training: 3 of 10 models done") changes, at most every 2 s; else every 10 s.
      String message = e.message() == null ? "" : e.message();
      String phase = message.split(":")[0];
      String headline = message.split(";")[0];
      long now = System.currentTimeMillis();
      String key = e.step();
      String last = lastLine.getOrDefault(key, "");
      long since = now - lastLineAt.getOrDefault(key, 0L);
      if (e.done() || !phase.equals(last.split(":")[0]) || (!headline.equals(last) && since > 2_000)
          || since > 10_000) {
        lastLine.put(key, headline);
        lastLineAt.put(key, now);
        err.printf("[%s] %s%s%n", e.step(), e.percent() >= 0 && !e.done() ? Math.round(e.percent()) + "% " : "",
            shorten(e.message(), 100));
        err.flush();
      }
    }
  }

  synchronized void closeBars() {
    bars.values().forEach(ProgressBar::close);
    bars.clear();
  }

  private void printTable(CommandResult.Table t) {
    if (t.title() != null && !t.title().isBlank()) out.println(t.title() + ":");
    if (t.rows().isEmpty()) {
      out.println("  (none)");
      return;
    }
    List<String> cols = t.columns();
    int[] w = new int[cols.size()];
    List<String[]> cells = new ArrayList<>();
    for (int i = 0; i < cols.size(); i++) w[i] = cols.get(i).length();
    for (List<Object> row : t.rows()) {
      String[] c = new String[cols.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = shorten(format(i < row.size() ? row.get(i) : null), MAX_CELL);
        w[i] = Math.max(w[i], c[i].length());
      }
      cells.add(c);
    }
    StringBuilder head = new StringBuilder("  ");
    StringBuilder rule = new StringBuilder("  ");
    for (int i = 0; i < cols.size(); i++) {
      head.append(pad(cols.get(i), w[i])).append("  ");
      rule.append("-".repeat(w[i])).append("  ");
    }
    out.println(head.toString().stripTrailing());
    out.println(rule.toString().stripTrailing());
    int r = 0;
    for (String[] c : cells) {
      StringBuilder line = new StringBuilder("  ");
      List<Object> src = t.rows().get(r++);
      for (int i = 0; i < c.length; i++) {
        Object v = i < src.size() ? src.get(i) : null;
        line.append(v instanceof Number ? padLeft(c[i], w[i]) : pad(c[i], w[i])).append("  ");
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private void printCsv(CommandResult.Table t) {
    out.println(String.join(",", t.columns().stream().map(TerminalSink::csv).toList()));
    for (List<Object> row : t.rows()) {
      List<String> c = new ArrayList<>();
      for (Object v : row) c.add(v == null ? "" : csv(v instanceof List || v instanceof Map ? json(v).replace("\n", "") : format(v)));
      out.println(String.join(",", c));
    }
  }

  private static List<Map<String, Object>> rowsAsObjects(CommandResult.Table t) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (List<Object> r : t.rows()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < t.columns().size(); i++) m.put(t.columns().get(i), i < r.size() ? jsonSafe(r.get(i)) : null);
      rows.add(m);
    }
    return rows;
  }

  private static Object jsonSafe(Object v) {
    if (v instanceof Double d && (d.isNaN() || d.isInfinite())) return null;
    return v;
  }

  private static String json(Object v) {
    try {
      return JSON.writeValueAsString(v);
    } catch (Exception e) {
      return String.valueOf(v);
    }
  }

  static String format(Object v) {
    if (v == null) return "";
    if (v instanceof Double d) {
      if (d.isNaN()) return "NaN";
      if (d == Math.rint(d) && Math.abs(d) < 1e15) return String.valueOf(d.longValue());
      double a = Math.abs(d);
      return a != 0 && (a < 1e-3 || a >= 1e7) ? String.format("%.4e", d) : String.format("%.5g", d).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }
    if (v instanceof Float f) return format(f.doubleValue());
    return String.valueOf(v);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static String shorten(String s, int max) {
    if (s == null) return "";
    String one = s.replace('\n', ' ');
    return one.length() <= max ? one : one.substring(0, max - 3) + "...";
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }

  private static String padLeft(String s, int w) {
    return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
  }
}
