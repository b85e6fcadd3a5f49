package io.omelet.tuning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Tree-structured Parzen Estimator (Bergstra et al. 2011, "Algorithms for Hyper-Parameter
 * Optimization"). After {@code startupTrials} random trials, the trials are split into the best
 * {@code min(ceil(n / 10), 25)} ("below") and the rest ("above"), as Optuna does; densities l(x) and g(x)
 * are fitted to each, and of {@code eiCandidates} points drawn from l the one maximising
 * log l(x) - log g(x) (the expected improvement's ordering) is proposed.
 *
 * <p>Categorical parameters are chosen one at a time, top-down through the conditional sub-spaces, each
 * from the trials where it was active (univariate, as Optuna's default). The numeric parameters active
 * under those choices are then drawn jointly (by default): one product-kernel mixture over them, its
 * components weighted by how well each trial matches the choices made, which keeps values that work
 * together together (Branin's curved valley, Hartmann-6). With {@code univariate} every parameter is
 * drawn on its own, exactly as Optuna's default TPESampler.
 *
 * <p>Trials still running count as the worst observations (a constant liar), so concurrent trials are
 * steered away from each other's points; a proposal identical to a running trial is drawn again.
 */
public final class TpeSampler implements Sampler {
  public static final int DEFAULT_STARTUP_TRIALS = 10;
  public static final int DEFAULT_EI_CANDIDATES = 24;
  private static final int MAX_GOOD = 25;
  /** Observations older than the 25 most recent weigh less and less, as in Optuna's default_weights. */
  private static final int FLAT_RECENT = 25;
  private static final double PRIOR_WEIGHT = 1.0;
  private static final int REDRAWS = 16;

  private final Random rng;
  private final int startupTrials;
  private final int eiCandidates;
  private final boolean constantLiar;
  private final boolean univariate;

  /** 10 random start-up trials, 24 candidates, constant liar, numeric parameters drawn jointly. */
  public TpeSampler(long seed) {
    this(seed, DEFAULT_STARTUP_TRIALS, DEFAULT_EI_CANDIDATES, true, false);
  }

  public TpeSampler(long seed, int startupTrials, int eiCandidates, boolean constantLiar, boolean univariate) {
    if (startupTrials < 0) throw new IllegalArgumentException("startupTrials must be >= 0, got " + startupTrials);
    if (eiCandidates < 1) throw new IllegalArgumentException("eiCandidates must be >= 1, got " + eiCandidates);
    this.rng = new Random(seed);
    this.startupTrials = startupTrials;
    this.eiCandidates = eiCandidates;
    this.constantLiar = constantLiar;
    this.univariate = univariate;
  }

  @Override
  public Map<String, Object> sample(SearchSpace space, List<Trial> trials, Direction direction) {
    List<Trial> observed = new ArrayList<>();
    Set<Map<String, Object>> running = new HashSet<>();
    int finished = 0;
    for (Trial t : trials) {
      switch (t.state()) {
        case COMPLETE, PRUNED -> {
          observed.add(t);
          finished++;
        }
        case RUNNING -> {
          running.add(t.params());
          if (constantLiar) observed.add(t);
        }
        default -> { }
      }
    }
    if (finished < startupTrials) return distinctFrom(running, () -> space.sampleUniform(rng), space);

    observed.sort(ranking(direction));
    int good = Math.min((int) Math.ceil(0.1 * finished), MAX_GOOD);
    List<Trial> below = chronological(observed.subList(0, good));
    List<Trial> above = chronological(observed.subList(good, observed.size()));
    if (univariate) return distinctFrom(running, () -> space.assign(p -> suggest(p, below, above)), space);
    TreeParzenEstimator l = new TreeParzenEstimator(space, params(below), observationWeights(below.size()),
        PRIOR_WEIGHT, finished);
    TreeParzenEstimator g = new TreeParzenEstimator(space, params(above), observationWeights(above.size()),
        PRIOR_WEIGHT, finished);
    return distinctFrom(running, () -> suggestJointly(space, below, above, l, g), space);
  }

  private Map<String, Object> distinctFrom(Set<Map<String, Object>> running, Supplier<Map<String, Object>> draw,
      SearchSpace space) {
    for (int i = 0; i < REDRAWS; i++) {
      Map<String, Object> p = draw.get();
      if (!running.contains(p)) return p;
    }
    // The model keeps landing on running points (a small discrete space): a uniform point not running, if
    // one turns up; when every point is running a duplicate cannot be helped.
    Map<String, Object> p = space.sampleUniform(rng);
    for (int i = 0; i < 4 * REDRAWS && running.contains(p); i++) p = space.sampleUniform(rng);
    return p;
  }

  /**
   * Best first: completed trials by value; then pruned ones, those that got further first, then by their
   * last value; pruned ones that reported nothing; running ones (the constant liar's worst) last.
   */
  private static Comparator<Trial> ranking(Direction direction) {
    return Comparator.<Trial>comparingInt(TpeSampler::rankGroup)
        .thenComparingInt(t -> t.state() == TrialState.PRUNED ? -t.lastStep() : 0)
        .thenComparingDouble(t -> loss(t, direction))
        .thenComparingInt(Trial::number);
  }

  private static int rankGroup(Trial t) {
    return switch (t.state()) {
      case COMPLETE -> 0;
      case PRUNED -> t.intermediateValues().isEmpty() ? 2 : 1;
      default -> 3;
    };
  }

  private static double loss(Trial t, Direction direction) {
    double v = switch (t.state()) {
      case COMPLETE -> t.value();
      case PRUNED -> t.intermediateValues().isEmpty() ? 0 : t.intermediateValues().get(t.lastStep());
      default -> 0;
    };
    return Double.isNaN(v) ? Double.POSITIVE_INFINITY : direction.loss(v);
  }

  private static List<Trial> chronological(List<Trial> ts) {
    List<Trial> out = new ArrayList<>(ts);
    out.sort(Comparator.comparingInt(Trial::number));
    return out;
  }

  private static List<Map<String, Object>> params(List<Trial> ts) {
    List<Map<String, Object>> out = new ArrayList<>(ts.size());
    for (Trial t : ts) out.add(t.params());
    return out;
  }

  /** Categorical choices one by one, then the numeric parameters they leave active, jointly. */
  private Map<String, Object> suggestJointly(SearchSpace space, List<Trial> below, List<Trial> above,
      TreeParzenEstimator l, TreeParzenEstimator g) {
    Map<String, Object> choices = new LinkedHashMap<>();
    List<NumericParameter> numeric = new ArrayList<>();
    choose(space.parameters(), below, above, choices, numeric);
    Map<String, Object> values = new HashMap<>(choices);
    if (!numeric.isEmpty()) {
      double[] lw = l.conditionalLogWeights(choices);
      double[] gw = g.conditionalLogWeights(choices);
      Map<String, Object> best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < eiCandidates; i++) {
        Map<String, Object> c = l.sample(numeric, lw, rng);
        double score = l.logPdf(c, lw) - g.logPdf(c, gw);
        if (best == null || score > bestScore) {
          best = c;
          bestScore = score;
        }
      }
      values.putAll(best);
    }
    return space.assign(p -> values.get(p.name()));
  }

  private void choose(List<Parameter> params, List<Trial> below, List<Trial> above, Map<String, Object> choices,
      List<NumericParameter> numeric) {
    for (Parameter p : params) {
      if (p instanceof NumericParameter n) {
        numeric.add(n);
      } else {
        CategoricalParameter c = (CategoricalParameter) p;
        Object v = suggest(c, below, above);
        choices.put(c.name(), v);
        choose(c.children(c.indexOf(v)), below, above, choices, numeric);
      }
    }
  }

  /** One parameter on its own, from the trials where it was active. */
  private Object suggest(Parameter p, List<Trial> below, List<Trial> above) {
    List<Object> good = activeValues(p, below);
    List<Object> bad = activeValues(p, above);
    if (p instanceof NumericParameter n) {
      ParzenEstimator l = numeric(n, good);
      ParzenEstimator g = numeric(n, bad);
      Object best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < eiCandidates; i++) {
        // Scored where it lands once rounded to the parameter's own values.
        Object v = n.fromModel(l.sample(rng));
        double x = n.toModel(v);
        double score = l.logPdf(x) - g.logPdf(x);
        if (best == null || score > bestScore) {
          best = v;
          bestScore = score;
        }
      }
      return best;
    }
    CategoricalParameter c = (CategoricalParameter) p;
    CategoricalParzenEstimator l = categorical(c, good);
    CategoricalParzenEstimator g = categorical(c, bad);
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < eiCandidates; i++) {
      int k = l.sample(rng);
      double score = l.logPdf(k) - g.logPdf(k);
      if (best < 0 || score > bestScore) {
        best = k;
        bestScore = score;
      }
    }
    return c.choices().get(best);
  }

  private static List<Object> activeValues(Parameter p, List<Trial> trials) {
    List<Object> out = new ArrayList<>();
    for (Trial t : trials) {
      Object v = t.param(p.name());
      if (v != null) out.add(v);
    }
    return out;
  }

  private static ParzenEstimator numeric(NumericParameter p, List<Object> values) {
    double[] xs = new double[values.size()];
    for (int i = 0; i < xs.length; i++) xs[i] = p.toModel(values.get(i));
    return new ParzenEstimator(xs, observationWeights(xs.length), p.modelLow(), p.modelHigh(), p.modelStep(), PRIOR_WEIGHT);
  }

  private static CategoricalParzenEstimator categorical(CategoricalParameter p, List<Object> values) {
    int[] idx = new int[values.size()];
    for (int i = 0; i < idx.length; i++) idx[i] = p.indexOf(values.get(i));
    return new CategoricalParzenEstimator(idx, observationWeights(idx.length), p.size(), PRIOR_WEIGHT);
  }

  /** 1 for the 25 most recent observations; older ones ramp linearly from 1/n up towards 1. */
  static double[] observationWeights(int n) {
    double[] w = new double[n];
    int ramp = Math.max(0, n - FLAT_RECENT);
    for (int i = 0; i < n; i++) {
      w[i] = i >= ramp ? 1.0 : (ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1));
    }
    return w;
  }

  @Override
  public String name() {
    return "tpe";
  }
}
