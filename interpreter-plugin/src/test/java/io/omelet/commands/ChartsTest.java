package io.omelet.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;

/** The CLI's charts are well-formed standalone SVG with their text escaped, one mark per value. */
class ChartsTest {
  private static void assertWellFormed(String svg) throws Exception {
    assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
    DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertFalse(svg.contains("<script"));
  }

  private static int count(String s, String part) {
    return s.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  @Test
  void barsDrawOneBarPerValueAndLeaveOutNaN() throws Exception {
    String svg = Charts.bars("auc <holdout>", List.of("run-a", "run-b & c", "run-d"), new double[] {0.9, 0.45, Double.NaN});
    assertWellFormed(svg);
    assertEquals(2, count(svg, "<rect"), svg);
    assertTrue(svg.contains("auc &lt;holdout&gt;") && svg.contains("run-b &amp; c") && svg.contains("run-d"), svg);
    assertTrue(svg.contains(">0.9<") && svg.contains(">0.45<"), svg);
  }

  @Test
  void linesDrawAPolylinePerSeriesAndADotForASinglePoint() throws Exception {
    String svg = Charts.lines("loss", "step", List.of(
        new Charts.Series("train", new double[] {0, 1, 2}, new double[] {1.0, 0.5, Double.NaN}),
        new Charts.Series("<valid>", new double[] {3}, new double[] {0.25})));
    assertWellFormed(svg);
    assertEquals(1, count(svg, "<polyline"), svg);
    assertEquals(1, count(svg, "<circle"), svg);
    assertTrue(svg.contains("&lt;valid&gt;"), svg);
    // the y axis reads the range of the finite values, the x axis the range of their steps
    assertTrue(svg.contains(">1<") && svg.contains(">0.25<") && svg.contains(">0<") && svg.contains(">3<"), svg);
  }
}
