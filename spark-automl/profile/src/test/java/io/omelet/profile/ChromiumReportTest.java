package io.omelet.profile;

import io.omelet.testing.Chromium;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens HTML reports in headless Chromium and checks that their script runs without errors, that
 * every tab switches its panel, and that a host page's own styles survive the embedded fragment.
 * In every build, on Debian's chromium ({@link Chromium#required}).
 */
class ChromiumReportTest {
  static Path chromium;

  @BeforeAll
  static void chromium() {
    chromium = Chromium.required();
  }

  private static final String ERROR_HOOK = "<script>window.__omeletErrors=[];"
      + "window.addEventListener('error',function(e){window.__omeletErrors.push(String(e.message));});</script>";

  private static final String CHECK = "<script>(function(){var errs=window.__omeletErrors;"
      + "var roots=document.querySelectorAll('.omelet-profile');var ok=roots.length>0;var svgs=0;"
      + "for(var r=0;r<roots.length;r++){var root=roots[r];var tabs=root.querySelectorAll('.op-tab');"
      + "if(tabs.length!==5)ok=false;svgs+=root.querySelectorAll('svg').length;"
      + "for(var i=0;i<tabs.length;i++){tabs[i].click();var name=tabs[i].getAttribute('data-tab');"
      + "var panels=root.querySelectorAll('.op-panel');for(var j=0;j<panels.length;j++){"
      + "var vis=panels[j].style.display!=='none';if(vis!==(panels[j].getAttribute('data-panel')===name))ok=false;}}}"
      + "var host=document.getElementById('host-p');var hc=host?getComputedStyle(host).color:'none';"
      + "var out=document.createElement('div');out.id='omelet-check';"
      + "out.textContent='errors='+errs.length+(errs.length?':'+errs.join('|'):'')+';tabs='+(ok?'ok':'bad')"
      + "+';svgs='+svgs+';host='+hc+';end';document.body.appendChild(out);})();</script>";

  @Test
  void reportsRunWithoutScriptErrors(@TempDir Path dir) throws Exception {
    Dataset<Row> credit = TestSpark.csv("credit_data.csv")
        .withColumnRenamed("Home", "Home <b>\"it's\"</b> & co");
    Profile p = new DataProfiler().profile(credit);

    // the stand-alone document, with an error hook before it and the check after it
    String doc = p.toHtml().replace("<body style=\"margin:0\">", "<body style=\"margin:0\">" + ERROR_HOOK)
        .replace("</body>", CHECK + "</body>");
    String result = openInChromium(dir, "document.html", doc);
    assertTrue(result.startsWith("errors=0;tabs=ok;"), result);

    // two fragments inside a host page that styles its own paragraphs, as Zeppelin %html does
    String host = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>p{color:rgb(1, 2, 3)}</style></head>"
        + "<body>" + ERROR_HOOK + "<p id=\"host-p\">host paragraph</p>" + p.toHtmlFragment()
        + new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(TestSpark.csv("penguins.csv")).toHtmlFragment()
        + CHECK + "</body></html>";
    String embedded = openInChromium(dir, "embedded.html", host);
    assertTrue(embedded.startsWith("errors=0;tabs=ok;"), embedded);
    assertTrue(embedded.contains("host=rgb(1, 2, 3);"), embedded);
  }

  private static String openInChromium(Path dir, String name, String html) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, html, StandardCharsets.UTF_8);
    Path profileDir = Files.createTempDirectory(dir, "chromium-profile");
    Path out = dir.resolve(name + ".dom"), err = dir.resolve(name + ".err");
    Process proc = new ProcessBuilder(List.of(chromium.toString(),
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profileDir, "--dump-dom", file.toUri().toString()))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!proc.waitFor(120, TimeUnit.SECONDS)) {
      proc.destroyForcibly();
      fail("chromium did not finish in 120 s: " + Files.readString(err));
    }
    String dom = Files.readString(out);
    Matcher m = Pattern.compile("<div id=\"omelet-check\">([^<]*)</div>").matcher(dom);
    assertTrue(m.find(), "no check output; chromium stderr: " + Files.readString(err));
    String stderr = Files.readString(err);
    assertFalse(stderr.contains("Uncaught"), stderr);
    return m.group(1);
  }
}
