package io.omelet.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Global importance, plots and the plain-words explanation of one row, on an exact TreeSHAP of lending_club. */
class ShapSummaryTest {
  private static Dataset<Row> explained;
  private static ShapExplainer explainer;

  @BeforeAll
  static void explain() {
    PipelineModel m = TestSpark.fitPipeline(TestSpark.lendingClub(), TestSpark.LC_STRINGS, TestSpark.LC_NUMBERS,
        new GBTClassifier().setMaxIter(15).setMaxDepth(4).setSeed(21));
    explainer = new ShapExplainer().setModel(m);
    explained = explainer.transform(TestSpark.lendingClub().limit(300)).cache();
  }

  @Test
  void importanceIsMeanAbsoluteShapPerInputColumnMostImportantFirst() {
    List<Row> imp = ShapSummary.importance(explained, "shap").collectAsList();
    assertEquals(22, imp.size());
    ShapSummary s = ShapSummary.of(explained, "shap", "shap_base", explainer.describeOutput(), 1000, 1);
    assertEquals(300, s.rows());
    double[] local = s.meanAbsShap();
    double previous = Double.POSITIVE_INFINITY;
    for (Row r : imp) {
      int j = s.features().indexOf(r.getString(0));
      assertTrue(j >= 0, r.getString(0));
      assertEquals(local[j], r.getDouble(1), 1e-9);
      assertTrue(r.getDouble(1) <= previous);
      previous = r.getDouble(1);
    }
    assertTrue(imp.get(0).getDouble(1) > 0);
    assertEquals("margin of class 1", explainer.describeOutput());
  }

  @Test
  void plotsAreSelfContainedSvgAndWrittenToFiles(@TempDir Path dir) throws Exception {
    ShapSummary s = ShapSummary.of(explained, "shap", "shap_base", "margin of bad", 200, 1);
    String summary = s.summaryPlotSvg(12);
    String dependence = s.dependencePlotSvg("int_rate");
    String categorical = s.dependencePlotSvg("sub_grade");
    Row first = explained.first();
    String waterfall = ShapSummary.waterfallSvg(first, "shap", "shap_base", "margin of bad", 8);
    for (String svg : List.of(summary, dependence, categorical, waterfall)) {
      assertSelfContainedSvg(svg);
    }
    assertTrue(summary.contains(">int_rate<") || summary.contains(">sub_grade<"), "top features are labelled");
    assertEquals(12 * 200, count(summary, "<circle"), "one dot per row and shown feature");
    assertEquals(200, count(categorical, "<circle"));
    assertTrue(categorical.contains("rotate(-45"), "category labels along the x axis");
    String page = ShapSummary.html("lending_club: why the model says bad", summary, dependence, waterfall);
    assertFalse(page.contains("<script"));
    Path file = ShapSummary.write(dir.resolve("plots/summary.html"), page);
    assertEquals(page, Files.readString(file));
    assertThrows(IllegalArgumentException.class, () -> s.dependencePlotSvg("no_such_column"));
  }

  @Test
  void oneRowInPlainWordsAddsUpToTheRowsOutput() {
    Row row = explained.first();
    String text = ShapSummary.describe(row, "shap", "shap_base", "margin of bad", 5);
    assertTrue(text.contains("raised the margin of bad by") || text.contains("lowered the margin of bad by"), text);
    Matcher m = Pattern.compile("- (\\w+)=").matcher(text);
    int named = 0;
    while (m.find()) named++;
    assertEquals(5, named, text);
    double[] phi = ((org.apache.spark.ml.linalg.Vector) row.getAs("shap")).toArray();
    long nonZero = java.util.Arrays.stream(phi).filter(p -> p != 0).count();
    assertTrue(text.contains("the " + (nonZero - 5) + " other features together"), text);
    Object rate = row.getAs("int_rate");
    assertTrue(!text.contains("int_rate=") || text.contains("int_rate=" + rate), "values are shown as in the data: " + text);
    double total = row.getDouble(row.fieldIndex("shap_base"));
    for (double p : phi) total += p;
    assertTrue(text.startsWith("The margin of bad for this row is " + ShapSummary.fmt(total)), text);
  }

  private static void assertSelfContainedSvg(String svg) throws Exception {
    assertTrue(svg.startsWith("<svg "), svg.substring(0, 40));
    // Well-formed XML, nothing fetched: the only URL is the SVG namespace name.
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertEquals(1, count(svg, "http"), "only the xmlns may mention http");
    assertTrue(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    for (String banned : List.of("href", "<script", "url(", "<image", "@import", "<foreignObject")) {
      assertFalse(svg.contains(banned), banned);
    }
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
    return n;
  }

  @Test
  void plotsAreSavedAsRunArtifacts(@TempDir Path dir) {
    io.omelet.registry.OmeletRegistry registry =
        io.omelet.registry.OmeletRegistry.open(TestSpark.spark(), dir.resolve("registry").toString());
    String run = registry.createRun(io.omelet.registry.OmeletRegistry.DEFAULT_EXPERIMENT_ID, "explain").runId();
    ShapSummary s = ShapSummary.of(explained, "shap", "shap_base", "margin of bad", 200, 1);
    s.logTo(registry, run, "shap", 2);
    List<String> files = registry.listArtifacts(run, "shap").stream().map(a -> a.path()).toList();
    assertEquals(4, files.size(), files.toString());
    assertTrue(files.containsAll(List.of("shap/summary.svg", "shap/shap_report.html")), files.toString());
    String report = new String(registry.readArtifact(run, "shap/shap_report.html"), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(report.contains("<svg"), "the plots are inline");
    assertTrue(!report.contains("https://") && !report.contains("src="), "nothing is fetched from elsewhere");
  }
}
