package io.omelet.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code omelet run} end to end as a child process: the CLI's main class (what bin/omelet starts)
 * in its own JVM, on the test class path (the build's jars do not exist yet in the test phase),
 * with the --add-opens flags of the parent pom. Checks exit code, printed model URI, the
 * registered alias and the report; then a usage error's exit code 2.
 */
class CliProcessTest {
  static final Path DATA = Paths.get(System.getProperty("omelet.data.dir", "../data"));

  private static Process start(Path cwd, Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx3g");
    for (String a : System.getProperty("omelet.test.addOpens", "").split("\\s+")) if (!a.isBlank()) cmd.add(a);
    for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect")) cmd.add(a);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.omelet.cli.OmeletCli");
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  @Test
  void runAsAChildProcess() throws Exception {
    Path cwd = Files.createTempDirectory("omelet-cli");
    Files.copy(DATA.resolve("german_credit.csv"), cwd.resolve("german_credit.csv"));
    Path log = cwd.resolve("stdout.txt");
    Process p = start(cwd, log, "run", "-f", "german_credit.csv", "--target", "class", "--profile", "fast",
        "--max-models", "2", "--exclude-algos", "DeepLearning,StackedEnsemble", "--seed", "1");
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "run finished");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("model_uri:     german_credit@champion"), out);
    assertTrue(out.contains("[automl]"), "progress lines: " + out);
    assertTrue(!out.contains("INFO") && !out.contains("WARN"), "library logs stay out of the terminal: " + out);
    Path report = cwd.resolve("omelet-out/german_credit");
    String html = Files.readString(report.resolve("index.html"));
    assertTrue(html.contains("href=\"plots/shap_summary.svg\""));
    assertTrue(Files.isRegularFile(report.resolve("plots/shap_summary.svg")));
    assertTrue(Files.size(report.resolve("omelet.log")) > 0, "the log sits in the output folder");
    OmeletRegistry reg = OmeletRegistry.open(OmeletSpark.builder("cli-test", "local[1]").getOrCreate(),
        cwd.resolve("omelet-registry").toString());
    assertEquals(1, reg.getModelVersionByAlias("german_credit", "champion").version());

    Process bad = start(cwd, cwd.resolve("bad.txt"), "run", "-f", "german_credit.csv", "--sample", "0", "--target", "class");
    assertTrue(bad.waitFor(2, TimeUnit.MINUTES));
    assertEquals(2, bad.exitValue(), Files.readString(cwd.resolve("bad.txt")));
    assertTrue(new File(cwd.toFile(), "bad.txt").length() < 2000, "a usage error is short");
  }
}
