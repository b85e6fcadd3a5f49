package io.omelet.tuning;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A hyper-parameter search: the space, the direction, a sampler that proposes each trial's parameters
 * and a pruner that stops poor trials early, and every trial so far. It can be driven trial by trial
 * ({@link #ask}, then {@link #report}/{@link #shouldPrune} and {@link #tell}/{@link #prune}/{@link #fail}),
 * from several threads at once, or by {@link #optimize}, which runs an objective on a pool of threads
 * within a budget. Earlier trials of the same space can be added first ({@link #addTrial}) to warm-start
 * the sampler.
 */
public final class Study {
  private final SearchSpace space;
  private final Direction direction;
  private final Sampler sampler;
  private final Pruner pruner;
  private final List<Trial> trials = new ArrayList<>();
  private volatile boolean cancelled;

  public Study(SearchSpace space, Direction direction, Sampler sampler, Pruner pruner) {
    this.space = Objects.requireNonNull(space, "space");
    this.direction = Objects.requireNonNull(direction, "direction");
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.pruner = Objects.requireNonNull(pruner, "pruner");
  }

  /** TPE seeded with {@code seed}, the median pruner. */
  public Study(SearchSpace space, Direction direction, long seed) {
    this(space, direction, new TpeSampler(seed), new MedianPruner());
  }

  public SearchSpace space() {
    return space;
  }

  public Direction direction() {
    return direction;
  }

  public Sampler sampler() {
    return sampler;
  }

  public Pruner pruner() {
    return pruner;
  }

  /** Starts a trial with parameters from the sampler (which sees the running trials too). */
  public synchronized TrialRun ask() {
    if (sampler.isExhausted(space, trials)) {
      throw new IllegalStateException("the " + sampler.name() + " sampler has no point left to propose");
    }
    Map<String, Object> params = space.check(sampler.sample(space, Collections.unmodifiableList(trials), direction));
    int number = trials.size();
    trials.add(new Trial(number, params, TrialState.RUNNING, Double.NaN, null, Instant.now(), null, null));
    return new TrialRun(this, number, trials.get(number).params());
  }

  /** Whether the sampler has nothing left to propose (a grid fully walked). */
  public synchronized boolean isExhausted() {
    return sampler.isExhausted(space, trials);
  }

  /** Records a running trial's value at {@code step} (a later report at the same step replaces it). */
  public synchronized void report(int number, int step, double value) {
    if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
    trials.set(number, running(number).withIntermediate(step, value));
  }

  public synchronized boolean shouldPrune(int number) {
    return pruner.shouldPrune(running(number), Collections.unmodifiableList(trials), direction);
  }

  /** Completes a running trial with its objective value; NaN fails it, as no sampler can learn from it. */
  public synchronized Trial tell(int number, double value) {
    Trial t = running(number);
    Trial done = Double.isNaN(value)
        ? t.finish(TrialState.FAILED, Double.NaN, "the objective returned NaN")
        : t.finish(TrialState.COMPLETE, value, null);
    trials.set(number, done);
    return done;
  }

  /** Marks a running trial PRUNED; it keeps its last intermediate value as its value. */
  public synchronized Trial prune(int number) {
    Trial t = running(number);
    double last = t.intermediateValues().isEmpty() ? Double.NaN : t.intermediateValues().get(t.lastStep());
    Trial done = t.finish(TrialState.PRUNED, last, null);
    trials.set(number, done);
    return done;
  }

  public synchronized Trial fail(int number, Throwable error) {
    Trial done = running(number).finish(TrialState.FAILED, Double.NaN, describe(error));
    trials.set(number, done);
    return done;
  }

  private static String describe(Throwable e) {
    return e == null ? "failed" : e.getMessage() == null ? e.getClass().getName() : e.getClass().getName() + ": " + e.getMessage();
  }

  private Trial running(int number) {
    if (number < 0 || number >= trials.size()) throw new IllegalArgumentException("the study has no trial " + number);
    Trial t = trials.get(number);
    if (t.state() != TrialState.RUNNING) throw new IllegalStateException("trial " + number + " is already " + t.state());
    return t;
  }

  /**
   * Adds a finished trial from an earlier study of the same space (a warm start): its parameters are
   * checked against this space, and it gets the next number.
   */
  public synchronized Trial addTrial(Trial finished) {
    if (!finished.state().isFinished()) {
      throw new IllegalArgumentException("only finished trials can be added, not " + finished.state());
    }
    Map<String, Object> params = space.check(finished.params());
    Trial t = new Trial(trials.size(), params, finished.state(), finished.value(), finished.intermediateValues(),
        finished.start(), finished.end(), finished.error());
    trials.add(t);
    return t;
  }

  public synchronized List<Trial> trials() {
    return List.copyOf(trials);
  }

  public synchronized Trial trial(int number) {
    if (number < 0 || number >= trials.size()) throw new IllegalArgumentException("the study has no trial " + number);
    return trials.get(number);
  }

  /** The COMPLETE trial with the best value (the first of equals). */
  public synchronized Optional<Trial> bestTrial() {
    return direction.best(trials);
  }

  /** Ends the current {@link #optimize} (and any later one): no new trial starts; running ones finish. */
  public void cancel() {
    cancelled = true;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Runs {@code objective} on new trials until {@code maxTrials} have run, {@code timeoutSeconds} have
   * passed, the study is cancelled or the sampler is exhausted, with up to {@code parallelism} trials at
   * once; no trial starts after the budget is spent, and running ones finish. A trial that throws is
   * FAILED (PRUNED for {@link TrialPrunedException}) and the study goes on; if every trial of this call
   * fails, the first one's error is raised (wrapped when it is a checked exception). An error of the
   * sampler itself (a grid too large to enumerate) ends the call and is raised.
   *
   * @param maxTrials at most this many trials in this call; 0 for no limit (a timeout is then required)
   * @param timeoutSeconds 0 for no timeout
   * @return the trials this call ran, by number
   */
  public List<Trial> optimize(Objective objective, int maxTrials, double timeoutSeconds, int parallelism)
      throws InterruptedException {
    Objects.requireNonNull(objective, "objective");
    if (maxTrials < 0) throw new IllegalArgumentException("maxTrials must be >= 0, got " + maxTrials);
    if (!(timeoutSeconds >= 0)) throw new IllegalArgumentException("timeoutSeconds must be >= 0, got " + timeoutSeconds);
    if (maxTrials == 0 && timeoutSeconds == 0) {
      throw new IllegalArgumentException("maxTrials must be > 0 when there is no timeout");
    }
    if (parallelism < 1) throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);

    long deadline = timeoutSeconds == 0 ? Long.MAX_VALUE : System.nanoTime() + (long) (timeoutSeconds * 1e9);
    AtomicInteger started = new AtomicInteger();
    List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Throwable> errors = new ConcurrentHashMap<>();
    AtomicReference<RuntimeException> samplerError = new AtomicReference<>();
    Runnable worker = () -> {
      while (true) {
        TrialRun run;
        synchronized (this) {
          boolean budgetLeft = maxTrials == 0 || started.get() < maxTrials;
          if (!budgetLeft || cancelled || samplerError.get() != null || System.nanoTime() >= deadline) return;
          try {
            if (isExhausted()) return;
            run = ask();
          } catch (RuntimeException e) {
            // The sampler cannot propose (e.g. a grid too large): nothing more can run.
            samplerError.set(e);
            return;
          }
          started.incrementAndGet();
        }
        ran.add(run.number());
        evaluate(objective, run, errors);
      }
    };
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < parallelism; i++) {
      Thread t = new Thread(worker, "omelet-tuning-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    try {
      for (Thread t : threads) t.join();
    } catch (InterruptedException e) {
      cancel();
      throw e;
    }

    if (samplerError.get() != null) throw samplerError.get();
    List<Trial> out = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>(ran);
    Collections.sort(numbers);
    for (int n : numbers) out.add(trial(n));
    if (!out.isEmpty() && out.stream().allMatch(t -> t.state() == TrialState.FAILED)) {
      Throwable first = errors.get(out.get(0).number());
      if (first == null) throw new IllegalStateException("every trial failed; the first: " + out.get(0).error());
      if (first instanceof RuntimeException re) throw re;
      if (first instanceof Error err) throw err;
      throw new IllegalStateException("every trial failed; the first: " + out.get(0).error(), first);
    }
    return out;
  }

  private void evaluate(Objective objective, TrialRun run, Map<Integer, Throwable> errors) {
    try {
      double value = objective.evaluate(run);
      if (trial(run.number()).state() == TrialState.RUNNING) tell(run.number(), value);
    } catch (TrialPrunedException e) {
      if (trial(run.number()).state() == TrialState.RUNNING) prune(run.number());
    } catch (Exception | Error e) {
      errors.put(run.number(), e);
      if (trial(run.number()).state() == TrialState.RUNNING) fail(run.number(), e);
    }
  }
}
