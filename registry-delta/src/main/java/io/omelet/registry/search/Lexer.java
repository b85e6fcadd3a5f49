package io.omelet.registry.search;

import java.util.ArrayList;
import java.util.List;

/** Splits a filter string into tokens; unterminated quotes and stray characters are reported with their position. */
final class Lexer {
  private Lexer() {}

  static List<Token> tokenize(String input) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = input.length();
    while (i < n) {
      char c = input.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(') {
        out.add(new Token(Token.Kind.LPAREN, "(", i++));
      } else if (c == ')') {
        out.add(new Token(Token.Kind.RPAREN, ")", i++));
      } else if (c == ',') {
        out.add(new Token(Token.Kind.COMMA, ",", i++));
      } else if (c == '\'' || c == '"' || c == '`') {
        int start = i;
        StringBuilder sb = new StringBuilder();
        i++;
        boolean closed = false;
        while (i < n) {
          char d = input.charAt(i);
          if (d == c) {
            if (i + 1 < n && input.charAt(i + 1) == c) { // doubled quote escapes itself
              sb.append(c);
              i += 2;
              continue;
            }
            closed = true;
            i++;
            break;
          }
          sb.append(d);
          i++;
        }
        if (!closed) {
          throw new FilterSyntaxException(input, start, "a closing " + c + " for the quote opened here",
              "the end of the filter");
        }
        out.add(new Token(c == '`' ? Token.Kind.QUOTED_NAME : Token.Kind.STRING, sb.toString(), start));
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        int start = i;
        String two = i + 1 < n ? input.substring(i, i + 2) : "";
        String op;
        switch (two) {
          case "!=", "<>" -> op = "!=";
          case "<=", ">=" -> op = two;
          case "==" -> op = "=";
          default -> {
            if (c == '!') throw new FilterSyntaxException(input, i, "!=", "'!'");
            op = String.valueOf(c);
          }
        }
        i += two.equals(op) || two.equals("<>") || two.equals("==") ? 2 : 1;
        out.add(new Token(Token.Kind.OPERATOR, op, start));
      } else if (Character.isDigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < n
          && (Character.isDigit(input.charAt(i + 1)) || input.charAt(i + 1) == '.'))) {
        int start = i;
        i++;
        while (i < n && (Character.isDigit(input.charAt(i)) || input.charAt(i) == '.'
            || input.charAt(i) == 'e' || input.charAt(i) == 'E'
            || ((input.charAt(i) == '-' || input.charAt(i) == '+')
                && (input.charAt(i - 1) == 'e' || input.charAt(i - 1) == 'E')))) {
          i++;
        }
        String text = input.substring(start, i);
        try {
          Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new FilterSyntaxException(input, start, "a number", "'" + text + "'");
        }
        out.add(new Token(Token.Kind.NUMBER, text, start));
      } else if (isWordStart(c)) {
        int start = i;
        while (i < n && isWordPart(input.charAt(i))) i++;
        out.add(new Token(Token.Kind.WORD, input.substring(start, i), start));
      } else {
        throw new FilterSyntaxException(input, i, "a name, a value, an operator or a parenthesis",
            "'" + c + "'");
      }
    }
    out.add(new Token(Token.Kind.END, "", n));
    return out;
  }

  private static boolean isWordStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isWordPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '/' || c == ':';
  }
}
