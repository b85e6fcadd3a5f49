package io.omelet.tuning;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One trial of a study as it stands: a snapshot, never changed (the study replaces it as the trial goes
 * on).
 *
 * @param number its number in the study, from 0
 * @param params the values of the parameters active in this trial, by name
 * @param value the objective value when COMPLETE, the last intermediate value when PRUNED, NaN otherwise
 * @param intermediateValues values reported while running, by step (the fold index under cross-validation)
 * @param end null while RUNNING
 * @param error the failure (class and message) when FAILED, null otherwise
 */
public record Trial(int number, Map<String, Object> params, TrialState state, double value,
    SortedMap<Integer, Double> intermediateValues, Instant start, Instant end, String error) {

  public Trial {
    if (params == null || state == null || start == null) throw new NullPointerException("params, state and start are required");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    intermediateValues = Collections.unmodifiableSortedMap(
        new TreeMap<>(intermediateValues == null ? Map.of() : intermediateValues));
    if (state.isFinished() && end == null) end = start;
  }

  /** A finished trial from elsewhere (an earlier study) to warm-start a study with {@link Study#addTrial}. */
  public static Trial finished(Map<String, ?> params, TrialState state, double value,
      SortedMap<Integer, Double> intermediateValues) {
    if (!state.isFinished()) throw new IllegalArgumentException("a finished trial cannot be " + state);
    Instant now = Instant.now();
    return new Trial(-1, new LinkedHashMap<>(params), state, value, intermediateValues, now, now,
        state == TrialState.FAILED ? "failed in an earlier study" : null);
  }

  /** The value of a parameter, null when it was not active in this trial. */
  public Object param(String name) {
    return params.get(name);
  }

  /** The largest step reported, -1 when none. */
  public int lastStep() {
    return intermediateValues.isEmpty() ? -1 : intermediateValues.lastKey();
  }

  /** The wall time from start to end (to now while running). */
  public Duration duration() {
    return Duration.between(start, end == null ? Instant.now() : end);
  }

  Trial withNumber(int n) {
    return new Trial(n, params, state, value, intermediateValues, start, end, error);
  }

  Trial withIntermediate(int step, double v) {
    TreeMap<Integer, Double> next = new TreeMap<>(intermediateValues);
    next.put(step, v);
    return new Trial(number, params, state, value, next, start, end, error);
  }

  Trial finish(TrialState s, double v, String err) {
    return new Trial(number, params, s, v, intermediateValues, start, Instant.now(), err);
  }
}
