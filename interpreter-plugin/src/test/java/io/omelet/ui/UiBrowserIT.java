package io.omelet.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The UI in a real browser: Debian's Chromium, headless, against {@code omelet ui}'s server on a
 * real registry ({@link UiFixture}). Opens the experiments, the runs table, filters it, opens a
 * run, draws a metric chart, compares two runs, opens the model page and moves an alias; no page
 * may log a console error or throw, hostile names and tags stay text, and every page is saved as
 * a screenshot under target/ui-screenshots. Part of every {@code mvn verify}, on Debian's chromium
 * ({@link io.omelet.testing.Chromium#required}).
 */
class UiBrowserIT {
  static final Path SHOTS = Path.of("target", "ui-screenshots");

  @Test
  void everyPageWorksInChromiumWithoutConsoleErrors() throws Exception {
    io.omelet.testing.Chromium.required();
    UiFixture f = UiFixture.create();
    try (UiServer server = UiServer.start(f.registry, "127.0.0.1", 0, true);
         HeadlessChromium browser = new HeadlessChromium()) {
      String base = server.uri().toString();
      browser.open(base, "document.querySelector('main table')");
      assertTrue(browser.eval("document.body.innerText").asText().contains(UiFixture.HOSTILE_EXPERIMENT),
          "the experiment's name is shown as text");
      browser.screenshot(SHOTS.resolve("1-experiments.png"));

      // the runs table of the hostile experiment, through its link
      browser.eval("Array.from(document.querySelectorAll('main a')).find(a => a.textContent.startsWith('hostile')).click()");
      browser.waitFor("document.querySelector('#runs')");
      assertEquals(2, browser.eval("document.querySelectorAll('#runs tr').length - 1").asInt());
      browser.screenshot(SHOTS.resolve("2-runs.png"));
      // a filter that does not parse: its message, then one that does
      browser.eval("document.querySelector('.toolbar input').value = \"params.algo ==== 'x'\";"
          + "document.querySelector('.toolbar button').click()");
      browser.waitFor("document.querySelector('.bad') && document.querySelector('.bad').textContent.includes('bad filter at position')");
      browser.screenshot(SHOTS.resolve("3-runs-bad-filter.png"));
      browser.eval("document.querySelector('.toolbar input').value = \"params.algo = 'GBM'\";"
          + "document.querySelector('.toolbar button').click()");
      browser.waitFor("document.querySelector('#runs') && document.querySelectorAll('#runs tr').length === 2");
      browser.screenshot(SHOTS.resolve("4-runs-filtered.png"));

      // a run page: its hostile tag shown as text, nothing injected
      browser.open(base + "#/run/" + f.hostileRunId, "document.querySelectorAll('#artifacts .dir').length === 2");
      String text = browser.eval("document.body.innerText").asText();
      assertTrue(text.contains(UiFixture.SCRIPT_TAG) && text.contains(UiFixture.IMG_ATTR), "tags shown verbatim");
      assertEquals(2, browser.eval("document.querySelectorAll('script').length").asInt(), "only the UI's own scripts");
      assertEquals(0, browser.eval("document.querySelectorAll('main img').length").asInt());
      // the user's HTML artifact in its sandboxed frame: its script does not run
      browser.eval("Array.from(document.querySelectorAll('#artifacts .dir')).find(d => d.textContent === 'report').click()");
      browser.waitFor("Array.from(document.querySelectorAll('#artifacts .file')).some(d => d.textContent.startsWith('page.html'))");
      browser.eval("Array.from(document.querySelectorAll('#artifacts .file')).find(d => d.textContent.startsWith('page.html')).click()");
      browser.waitFor("document.querySelector('iframe.preview')");
      Thread.sleep(500);
      assertFalse(browser.eval("document.title").asText().contains("pwned"));
      browser.screenshot(SHOTS.resolve("5-run.png"));

      // a metric chart: 10,000 points drawn from the server's downsampled series, log scale on
      browser.open(base + "#/chart?id=" + f.hostileRunId + "&key=loss&log=1&smooth=0.3", "document.querySelector('#chart canvas')");
      browser.screenshot(SHOTS.resolve("6-chart.png"));

      // compare two runs: differences highlighted, parallel coordinates and a scatter drawn
      browser.open(base + "#/compare?id=" + f.hostileRunId + "&id=" + f.otherRunId,
          "document.querySelector('#parallel polyline') && document.querySelector('#scatter circle')");
      assertTrue(browser.eval("document.querySelectorAll('#compare-params tr.differs').length").asInt() >= 1);
      browser.screenshot(SHOTS.resolve("7-compare.png"));

      // the model page; move an alias with the session's token
      browser.open(base + "#/model/churn", "document.querySelector('#versions')");
      browser.eval("document.querySelector('#alias-name').value = 'staging';"
          + "Array.from(document.querySelectorAll('button')).find(b => b.textContent === 'Set alias').click()");
      browser.waitFor("document.querySelector('#aliases') && document.querySelector('#aliases').innerText.includes('staging')");
      assertEquals(1, f.registry.getModelVersionByAlias("churn", "staging").version());
      browser.screenshot(SHOTS.resolve("8-model.png"));
      browser.open(base + "#/models", "document.querySelector('h1').textContent === 'Registered models'");
      browser.screenshot(SHOTS.resolve("9-models.png"));

      // an unknown run: a page that names it
      browser.open(base + "#/run/" + URLEncoder.encode("no-such-run", StandardCharsets.UTF_8),
          "document.querySelector('h1').textContent === 'Not found'");
      assertTrue(browser.eval("document.body.innerText").asText().contains("no run 'no-such-run'"));
      // Chromium logs every 4xx answer as a network error: the two asked for above are expected
      browser.errors.removeIf(e -> e.contains("\"source\":\"network\"")
          && (e.contains("status of 400") && e.contains("%3D%3D%3D%3D") || e.contains("status of 404") && e.contains("no-such-run")));
      assertTrue(browser.errors.isEmpty(), "console errors: " + browser.errors);
    }
  }
}
