package io.omelet.registry.search;

/** One lexical token of a filter, with its 0-based start offset. */
record Token(Kind kind, String text, int position) {
  enum Kind {
    WORD, // identifiers and keywords: metrics.auc, AND, LIKE
    QUOTED_NAME, // `key with spaces`
    STRING, // 'value' or "value"
    NUMBER,
    OPERATOR, // = != <> < <= > >=
    LPAREN,
    RPAREN,
    COMMA,
    END
  }

  boolean isKeyword(String keyword) {
    return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
  }

  String describe() {
    return switch (kind) {
      case END -> "the end of the filter";
      case STRING -> "the string '" + text + "'";
      case QUOTED_NAME -> "`" + text + "`";
      default -> "'" + text + "'";
    };
  }
}
