package io.omelet.zeppelin;

import io.omelet.commands.CommandResult;
import io.omelet.commands.CommandSink;
import io.omelet.commands.ProgressEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.zeppelin.interpreter.InterpreterOutput;
import org.apache.zeppelin.interpreter.InterpreterResult;
import org.apache.zeppelin.interpreter.InterpreterResultMessage;

/**
 * Renders command results into a paragraph's output as they come, the Zeppelin way: tables as
 * {@code %table} (cut to {@code omelet.maxResult} rows, with a line saying so), HTML fragments as
 * {@code %html}, short messages and values as text. Keeps the paragraph's progress for
 * {@code getProgress}: the share of its commands done plus the running command's own percent.
 */
final class ZeppelinSink implements CommandSink {
  private final InterpreterOutput out;
  /** Everything rendered, in order: the paragraph's final result (streamed output is cut at Zeppelin's output limit). */
  private final List<InterpreterResultMessage> messages = new java.util.ArrayList<>();
  private final int commands;
  private volatile int commandIndex;
  private volatile double commandPercent;
  private volatile String lastStep;

  ZeppelinSink(InterpreterOutput out, int commands) {
    this.out = out;
    this.commands = Math.max(1, commands);
  }

  /** The paragraph moves on to its {@code index}-th command (0-based). */
  void startCommand(int index) {
    commandIndex = index;
    commandPercent = 0;
    lastStep = null;
  }

  /** 0..99 while the paragraph runs (100 is Zeppelin's "finished"). */
  int progress() {
    double p = 100.0 * (commandIndex + commandPercent / 100.0) / commands;
    return (int) Math.max(0, Math.min(99, Math.floor(p)));
  }

  @Override
  public void progress(ProgressEvent e) {
    if (e.done() || e.percent() < 0) return;
    // AutoML's own events carry the run's progress; Spark steps inside it (or alone) fill in
    // only when no AutoML step is running.
    if ("automl".equals(e.step()) || !"automl".equals(lastStep)) {
      lastStep = e.step();
      commandPercent = Math.max(0, Math.min(100, e.percent()));
    }
  }

  @Override
  public synchronized void result(CommandResult result) {
    try {
      if (result instanceof CommandResult.Text t) text(t.text());
      else if (result instanceof CommandResult.Table t) table(t);
      else if (result instanceof CommandResult.Html h) html(h.html());
      else if (result instanceof CommandResult.Values v) values(v.title(), v.values());
      else if (result instanceof CommandResult.Files f) files(f);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An ERROR's one-line message as the paragraph's last text. */
  synchronized void error(String message) {
    try {
      text("omelet: " + message);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the paragraph shows once it ends, complete and in order. */
  synchronized List<InterpreterResultMessage> messages() {
    return List.copyOf(messages);
  }

  private void text(String text) throws IOException {
    emit(InterpreterResult.Type.TEXT, escapeMagic(text.endsWith("\n") ? text : text + "\n"));
  }

  private void html(String html) throws IOException {
    emit(InterpreterResult.Type.HTML, html.endsWith("\n") ? html : html + "\n");
  }

  /** Streams a message to the live output and keeps it for the final result. */
  private void emit(InterpreterResult.Type type, String data) throws IOException {
    // consecutive texts read as one message, as a terminal would show them
    int last = messages.size() - 1;
    if (type == InterpreterResult.Type.TEXT && last >= 0 && messages.get(last).getType() == type) {
      messages.set(last, new InterpreterResultMessage(type, messages.get(last).getData() + data));
    } else {
      messages.add(new InterpreterResultMessage(type, data));
    }
    out.setType(type);
    out.write(data);
  }

  private void table(CommandResult.Table t) throws IOException {
    if (t.title() != null && !t.title().isBlank()) text(t.title() + ":");
    if (t.columns().isEmpty()) return;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < t.columns().size(); i++) {
      if (i > 0) b.append('\t');
      b.append(cell(t.columns().get(i)));
    }
    b.append('\n');
    for (List<Object> row : t.rows()) {
      for (int i = 0; i < t.columns().size(); i++) {
        if (i > 0) b.append('\t');
        b.append(cell(i < row.size() ? row.get(i) : null));
      }
      b.append('\n');
    }
    emit(InterpreterResult.Type.TABLE, b.toString());
    if (t.rows().isEmpty()) {
      text("(no rows)");
    } else if (t.truncated()) {
      text(String.format(Locale.ROOT, "showing %d of %d rows (omelet.maxResult)", t.rows().size(), t.totalRows()));
    }
  }

  private void values(String title, Map<String, Object> values) throws IOException {
    StringBuilder b = new StringBuilder();
    if (title != null) b.append(title).append(":\n");
    int w = values.keySet().stream().mapToInt(String::length).max().orElse(0);
    values.forEach((k, v) -> b.append("  ").append(k).append(":").append(" ".repeat(w - k.length() + 1))
        .append(v == null ? "" : v).append('\n'));
    text(b.toString());
  }

  private void files(CommandResult.Files f) throws IOException {
    StringBuilder b = new StringBuilder(f.title()).append(":\n");
    for (CommandResult.WrittenFile w : f.files()) b.append("  ").append(w.what()).append("  ").append(w.path()).append('\n');
    text(b.toString());
  }

  /** A table cell: tabs and line breaks would break Zeppelin's TSV. */
  private static String cell(Object v) {
    if (v == null) return "";
    String s = v instanceof Double d ? (d.isNaN() ? "NaN" : Double.toString(d)) : String.valueOf(v);
    return s.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ');
  }

  /** A text line starting with %word would be read as a new output type. */
  private static String escapeMagic(String s) {
    return s.replaceAll("(?m)^%", " %");
  }
}
