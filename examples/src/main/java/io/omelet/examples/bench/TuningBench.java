package io.omelet.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.tuning.Direction;
import io.omelet.tuning.FanovaImportance;
import io.omelet.tuning.Pruner;
import io.omelet.tuning.RandomSampler;
import io.omelet.tuning.Sampler;
import io.omelet.tuning.Study;
import io.omelet.tuning.TestFunction;
import io.omelet.tuning.TpeSampler;
import io.omelet.tuning.Trial;
import io.omelet.tuning.TrialRun;
import io.omelet.tuning.TrialState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * bin/bench tuning: Omelet's hyper-parameter search (io.omelet.tuning) against Optuna's TPE, the anchor
 * (Debian's python3-optuna, driven by bench/tuning_anchor.py), and random search.
 * <ul>
 *   <li>Test functions: Branin, Hartmann-6 and a mixed space with a categorical and a conditional
 *       parameter ({@link TestFunction}); 100 evaluations, 20 seeds each; {@code regret_<fn>_<sampler>_<n>}
 *       is the median over the seeds of the best-so-far regret after n evaluations, for omelet_tpe,
 *       optuna_tpe and random. Goal: Omelet's at 100 at most Optuna's and below random's, per function.
 *   <li>Importance: on a function where one parameter dominates by construction, fANOVA must rank it
 *       first; on Hartmann-6, Omelet's fANOVA and Optuna's FanovaImportanceEvaluator on the same trials
 *       (Optuna's TPE run), both rankings printed, with their Spearman correlation.
 * </ul>
 * {@code bin/bench tuning functions} runs this part only; {@code bin/bench tuning spark [data set...]} runs
 * the Spark ML part ({@link TuningSparkBench}): a GBT tuned by TPE, random search and a full grid on
 * lending_club, credit_data and diamonds. {@code bin/bench tuning} runs both.
 */
public final class TuningBench implements Benchmark {
  static final String PYTHON = "/usr/bin/python3";
  private static final int EVALUATIONS = 100;
  private static final int SEEDS = 20;
  private static final int[] CHECKPOINTS = {25, 50, 100};
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return "tuning";
  }

  @Override
  public String description() {
    return "TPE vs Optuna's TPE and random search on test functions (regret), fANOVA importance vs Optuna's;"
        + " OmeletTuner on a Spark GBT: TPE vs random vs full grid on 3 data sets";
  }

  @Override
  public void run(String[] args) throws Exception {
    List<String> parts = args.length == 0 ? List.of("functions", "spark") : List.of(args);
    if (parts.contains("functions")) testFunctions();
    if (parts.contains("spark")) {
      List<String> only = new ArrayList<>();
      for (String a : parts) if (!a.equals("functions") && !a.equals("spark")) only.add(a);
      TuningSparkBench.run(only);
    }
  }

  // ------------------------------------------------------------ test functions

  private static void testFunctions() throws Exception {
    Path work = Files.createTempDirectory("omelet-bench-tuning");
    Path script = anchorScript(work);
    String missing = optunaMissing();
    if (missing != null) {
      Figures.print("optuna_anchor", "skipped: " + missing
          + " (apt-get install python3-optuna python3-sklearn); Optuna's figures are left out");
    }
    for (TestFunction f : List.of(TestFunction.branin(), TestFunction.hartmann6(), TestFunction.mixed())) {
      long start = System.nanoTime();
      double[][] omelet = traces(f, TpeSampler::new);
      System.err.printf("%s: omelet tpe, %d seeds x %d evaluations in %.1f s%n", f.name(), SEEDS, EVALUATIONS,
          Figures.since(start));
      double[][] random = traces(f, RandomSampler::new);
      double[][] optuna = null;
      if (missing == null) {
        start = System.nanoTime();
        optuna = optunaTraces(script, f.name());
        System.err.printf("%s: optuna tpe in %.1f s%n", f.name(), Figures.since(start));
      }
      double omelet100 = printRegrets(f, "omelet_tpe", omelet);
      double optuna100 = optuna == null ? Double.NaN : printRegrets(f, "optuna_tpe", optuna);
      double random100 = printRegrets(f, "random", random);
      Figures.print("goal_" + f.name() + "_tpe_below_random", omelet100 < random100 ? "met" : "not met");
      if (optuna != null) {
        Figures.print("goal_" + f.name() + "_tpe_at_most_optuna", omelet100 <= optuna100 ? "met" : "not met");
      }
    }
    importance(script, missing == null);
  }

  /** Per seed, the objective value of each of the 100 evaluations, in order. */
  private static double[][] traces(TestFunction f, LongFunction<Sampler> sampler) {
    double[][] out = new double[SEEDS][EVALUATIONS];
    for (int seed = 0; seed < SEEDS; seed++) {
      Study study = new Study(f.space(), Direction.MINIMIZE, sampler.apply(seed), Pruner.NONE);
      for (int i = 0; i < EVALUATIONS; i++) {
        TrialRun run = study.ask();
        out[seed][i] = f.evaluate(run.params());
        run.complete(out[seed][i]);
      }
    }
    return out;
  }

  /** Prints the median best-so-far regret at each checkpoint; returns the one at 100. */
  private static double printRegrets(TestFunction f, String sampler, double[][] traces) {
    double last = Double.NaN;
    for (int n : CHECKPOINTS) {
      double[] regrets = new double[traces.length];
      for (int s = 0; s < traces.length; s++) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) best = Math.min(best, traces[s][i]);
        regrets[s] = best - f.minimum();
      }
      last = Figures.median(regrets);
      Figures.print("regret_" + f.name() + "_" + sampler + "_" + n, last);
    }
    return last;
  }

  // ------------------------------------------------------------ importance

  private static void importance(Path script, boolean withOptuna) throws Exception {
    TestFunction dominated = TestFunction.dominated();
    Study study = new Study(dominated.space(), Direction.MINIMIZE, new TpeSampler(0), Pruner.NONE);
    for (int i = 0; i < EVALUATIONS; i++) {
      TrialRun run = study.ask();
      run.complete(dominated.evaluate(run.params()));
    }
    Map<String, Double> shares = new FanovaImportance(0).evaluate(study);
    String first = shares.keySet().iterator().next();
    Figures.print("importance_dominated_ranking", ranking(shares));
    Figures.print("importance_dominated_first", first);
    Figures.print("goal_importance_dominated_first", "c".equals(first) ? "met" : "not met");

    TestFunction h6 = TestFunction.hartmann6();
    Study trials = new Study(h6.space(), Direction.MINIMIZE, new TpeSampler(0), Pruner.NONE);
    if (withOptuna) {
      // Optuna's TPE trials, given to both evaluators.
      JsonNode out = runAnchor(script, "importance", h6.name(), Integer.toString(EVALUATIONS), "0").get(0);
      for (JsonNode t : out.get("trials")) {
        Map<String, Object> params = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = t.get("params").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          params.put(e.getKey(), e.getValue().asDouble());
        }
        trials.addTrial(Trial.finished(params, TrialState.COMPLETE, t.get("value").asDouble(), null));
      }
      Map<String, Double> optunaShares = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = out.get("importance").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        optunaShares.put(e.getKey(), e.getValue().asDouble());
      }
      Map<String, Double> omeletShares = new FanovaImportance(0).evaluate(trials);
      Figures.print("importance_hartmann6_omelet", ranking(omeletShares));
      Figures.print("importance_hartmann6_optuna", ranking(optunaShares));
      Figures.print("importance_hartmann6_spearman", spearman(omeletShares, optunaShares));
    } else {
      for (int i = 0; i < EVALUATIONS; i++) {
        TrialRun run = trials.ask();
        run.complete(h6.evaluate(run.params()));
      }
      Figures.print("importance_hartmann6_omelet", ranking(new FanovaImportance(0).evaluate(trials)));
    }
  }

  private static String ranking(Map<String, Double> shares) {
    return shares.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s:%.3f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(" "));
  }

  /** Spearman's rank correlation of two importance maps over the same parameters. */
  private static double spearman(Map<String, Double> a, Map<String, Double> b) {
    List<String> ra = new ArrayList<>(a.keySet());
    List<String> rb = new ArrayList<>(b.keySet());
    ra.sort((x, y) -> Double.compare(a.get(y), a.get(x)));
    rb.sort((x, y) -> Double.compare(b.get(y), b.get(x)));
    int n = ra.size();
    double d2 = 0;
    for (int i = 0; i < n; i++) {
      int j = rb.indexOf(ra.get(i));
      d2 += (double) (i - j) * (i - j);
    }
    return 1 - 6 * d2 / (n * ((double) n * n - 1));
  }

  // ------------------------------------------------------------ the Optuna anchor

  private static Path anchorScript(Path work) throws IOException {
    Path script = work.resolve("tuning_anchor.py");
    try (InputStream in = TuningBench.class.getResourceAsStream("/bench/tuning_anchor.py")) {
      Files.copy(in, script);
    }
    return script;
  }

  /** Why the anchor cannot run, or null when Optuna and scikit-learn import. */
  private static String optunaMissing() throws InterruptedException {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import optuna, sklearn")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor() == 0 ? null : PYTHON + " cannot import optuna and sklearn";
    } catch (IOException e) {
      return PYTHON + " is not there (" + e.getMessage() + ")";
    }
  }

  private static double[][] optunaTraces(Path script, String function) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("trace", function, "tpe", Integer.toString(EVALUATIONS)));
    for (int s = 0; s < SEEDS; s++) args.add(Integer.toString(s));
    List<JsonNode> lines = runAnchor(script, args.toArray(new String[0]));
    double[][] out = new double[lines.size()][];
    for (int s = 0; s < out.length; s++) {
      JsonNode values = lines.get(s).get("values");
      out[s] = new double[values.size()];
      for (int i = 0; i < values.size(); i++) out[s][i] = values.get(i).asDouble();
    }
    return out;
  }

  private static List<JsonNode> runAnchor(Path script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) out.add(JSON.readTree(line));
    }
    if (p.waitFor() != 0) throw new IOException("the Optuna anchor failed (exit " + p.exitValue() + "): " + command);
    return out;
  }
}
