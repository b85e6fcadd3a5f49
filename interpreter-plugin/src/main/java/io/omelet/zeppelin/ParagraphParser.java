package io.omelet.zeppelin;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a paragraph into command lines, each into words, the way a shell would for the CLI:
 * one command per line, a trailing backslash continues it on the next line, {@code "..."} and
 * {@code '...'} quote (a backslash escapes {@code "} and {@code \} inside double quotes), a word
 * starting with {@code #} starts a comment to the end of the line, and a leading {@code omelet}
 * is optional. So a command pasted from the terminal works in a notebook unchanged.
 */
public final class ParagraphParser {
  private ParagraphParser() {}

  /** A command's words and the paragraph line it starts on (1-based). */
  public record CommandLine(List<String> args, int line) {
    public CommandLine {
      args = List.copyOf(args);
    }
  }

  /** A quote left open: the message names the line. */
  public static final class ParseException extends IllegalArgumentException {
    public ParseException(String message) {
      super(message);
    }
  }

  public static List<CommandLine> parse(String text) {
    List<CommandLine> out = new ArrayList<>();
    Tokenizer t = new Tokenizer(text == null ? "" : text, false);
    List<String> words;
    while ((words = t.nextCommand()) != null) {
      if (!words.isEmpty() && words.get(0).equals("omelet") && !t.firstWordQuoted) words = words.subList(1, words.size());
      if (!words.isEmpty()) out.add(new CommandLine(words, t.commandLine));
    }
    return out;
  }

  /**
   * For completion: the words of the command the cursor is in, up to the cursor; the last one is
   * the word being typed (empty when the cursor follows a space). Open quotes are tolerated.
   */
  public static List<String> wordsBefore(String text, int cursor) {
    String upTo = text.substring(0, Math.max(0, Math.min(cursor, text.length())));
    Tokenizer t = new Tokenizer(upTo, true);
    List<String> last = List.of();
    List<String> words;
    while ((words = t.nextCommand()) != null) last = words;
    if (upTo.endsWith("\n") && !upTo.endsWith("\\\n") && !upTo.endsWith("\\\r\n")) {
      List<String> fresh = new ArrayList<>();
      fresh.add("");
      return fresh; // the cursor starts a new command
    }
    List<String> result = new ArrayList<>(last);
    if (!result.isEmpty() && result.get(0).equals("omelet")) result.remove(0);
    boolean endsInWord = !upTo.isEmpty() && !Character.isWhitespace(upTo.charAt(upTo.length() - 1)) && t.lastCommandReachedEnd;
    if (!endsInWord) result.add("");
    return result;
  }

  private static final class Tokenizer {
    private final String s;
    private final boolean lenient;
    private int i;
    private int line = 1;
    int commandLine;
    boolean firstWordQuoted;
    boolean lastCommandReachedEnd;

    Tokenizer(String s, boolean lenient) {
      this.s = s;
      this.lenient = lenient;
    }

    /** The next command's words; null at the end of the text. */
    List<String> nextCommand() {
      if (i >= s.length()) return null;
      List<String> words = new ArrayList<>();
      commandLine = line;
      firstWordQuoted = false;
      StringBuilder w = null;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '\n') {
          i++;
          line++;
          break;
        }
        if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
          // line continuation: ends the word, the command goes on
          if (w != null) words.add(w.toString());
          w = null;
          i += 2;
          line++;
          continue;
        }
        if (c == '\\' && i + 2 < s.length() && s.charAt(i + 1) == '\r' && s.charAt(i + 2) == '\n') {
          if (w != null) words.add(w.toString());
          w = null;
          i += 3;
          line++;
          continue;
        }
        if (Character.isWhitespace(c)) {
          if (w != null) words.add(w.toString());
          w = null;
          i++;
          continue;
        }
        if (c == '#' && w == null) {
          while (i < s.length() && s.charAt(i) != '\n') i++;
          continue;
        }
        if (w == null) w = new StringBuilder();
        if (c == '"' || c == '\'') {
          if (words.isEmpty() && w.length() == 0) firstWordQuoted = true;
          int start = line;
          i++;
          boolean closed = false;
          while (i < s.length()) {
            char q = s.charAt(i);
            if (q == c) {
              closed = true;
              i++;
              break;
            }
            if (c == '"' && q == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
              w.append(s.charAt(i + 1));
              i += 2;
              continue;
            }
            if (q == '\n') line++;
            w.append(q);
            i++;
          }
          if (!closed && !lenient) {
            throw new ParseException("line " + start + ": a " + (c == '"' ? "double" : "single")
                + " quote is not closed");
          }
          continue;
        }
        if (c == '\\' && i + 1 < s.length()) {
          w.append(s.charAt(i + 1));
          i += 2;
          continue;
        }
        w.append(c);
        i++;
      }
      if (w != null) words.add(w.toString());
      lastCommandReachedEnd = i >= s.length() && (s.isEmpty() || s.charAt(s.length() - 1) != '\n');
      return words;
    }
  }
}
