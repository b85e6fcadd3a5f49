package io.omelet.zeppelin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParagraphParserTest {

  private static List<List<String>> args(String text) {
    return ParagraphParser.parse(text).stream().map(ParagraphParser.CommandLine::args).toList();
  }

  @Test
  void oneCommandPerLineWithQuotesCommentsAndContinuations() {
    String p = """
        # train, then look
        run --table customers --target Exited \\
            --profile fast --register churn
        omelet runs search --experiment churn --filter "metrics.holdout_auc > 0.8" --order-by 'metrics.holdout_auc DESC'

        runs compare A B   # the two best
        """;
    List<ParagraphParser.CommandLine> cmds = ParagraphParser.parse(p);
    assertEquals(3, cmds.size());
    assertEquals(List.of("run", "--table", "customers", "--target", "Exited", "--profile", "fast", "--register", "churn"),
        cmds.get(0).args());
    assertEquals(2, cmds.get(0).line());
    assertEquals(List.of("runs", "search", "--experiment", "churn", "--filter", "metrics.holdout_auc > 0.8",
        "--order-by", "metrics.holdout_auc DESC"), cmds.get(1).args());
    assertEquals(4, cmds.get(1).line());
    assertEquals(List.of("runs", "compare", "A", "B"), cmds.get(2).args());
  }

  @Test
  void escapesInsideDoubleQuotesAndLiteralSingleQuotes() {
    assertEquals(List.of(List.of("runs", "search", "--filter", "params.algo = 'GBM' and tags.note = \"a \\ b\"")),
        args("runs search --filter \"params.algo = 'GBM' and tags.note = \\\"a \\\\ b\\\"\""));
    assertEquals(List.of(List.of("sql", "SELECT 'a#b' AS x")), args("sql \"SELECT 'a#b' AS x\""));
    assertEquals(List.of(List.of("x", "a\\b")), args("x 'a\\b'"));
    assertEquals(List.of(List.of("x", "a b")), args("x a\\ b"));
  }

  @Test
  void anOpenQuoteNamesItsLine() {
    var e = assertThrows(ParagraphParser.ParseException.class, () -> ParagraphParser.parse("runs show A\nruns search --filter \"metrics.x > 1"));
    assertTrue(e.getMessage().contains("line 2: a double quote is not closed"), e.getMessage());
  }

  @Test
  void emptyAndCommentOnlyParagraphsHaveNoCommands() {
    assertEquals(List.of(), args(""));
    assertEquals(List.of(), args("  \n# nothing\n\n"));
  }

  @Test
  void wordsBeforeTheCursor() {
    assertEquals(List.of(""), ParagraphParser.wordsBefore("", 0));
    assertEquals(List.of("ru"), ParagraphParser.wordsBefore("ru", 2));
    assertEquals(List.of("runs", ""), ParagraphParser.wordsBefore("omelet runs ", 12));
    assertEquals(List.of("run", "--ta"), ParagraphParser.wordsBefore("run --ta", 8));
    assertEquals(List.of(""), ParagraphParser.wordsBefore("runs show A\n", 12));
    assertEquals(List.of("runs", "search", "--filter", "metrics.a > 1 and par"),
        ParagraphParser.wordsBefore("runs search --filter \"metrics.a > 1 and par", 43));
    String two = "runs show A\nrun --table t --target ";
    assertEquals(List.of("run", "--table", "t", "--target", ""), ParagraphParser.wordsBefore(two, two.length()));
  }
}
