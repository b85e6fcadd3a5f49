package io.omelet.commands;

import java.nio.file.Path;
import java.util.List;

/**
 * What a command hands back to its front end. The CLI renders each kind for a terminal (or as
 * JSON/CSV); the Zeppelin interpreter as {@code %text}, {@code %table} and {@code %html}.
 */
public sealed interface CommandResult {

  /** A short message: a line or a few. */
  record Text(String text) implements CommandResult {}

  /**
   * Rows under named columns. {@code totalRows} is how many rows there were before the list was
   * cut to what is shown ({@code rows.size()} when nothing was cut).
   */
  record Table(String title, List<String> columns, List<List<Object>> rows, long totalRows)
      implements CommandResult {
    public Table {
      columns = List.copyOf(columns);
      rows = List.copyOf(rows);
    }

    public boolean truncated() {
      return totalRows > rows.size();
    }
  }

  /** An HTML fragment (inline SVG, tables, a profile report's body) with a plain-text title. */
  record Html(String title, String html) implements CommandResult {}

  /** Files the command wrote, each with what it is. */
  record Files(String title, List<WrittenFile> files) implements CommandResult {
    public Files {
      files = List.copyOf(files);
    }
  }

  /** A file written by a command. */
  record WrittenFile(String what, Path path) {}

  /**
   * Named values a script wants (run id, model URI, report path): printed as {@code key: value}
   * lines, or as one JSON object with {@code --format json}.
   */
  record Values(String title, java.util.LinkedHashMap<String, Object> values) implements CommandResult {}
}
