package io.omelet.examples.bench;

/**
 * bin/bench faults: fault injection and fuzzing, bounded in count and time, loopback only. So far:
 * {@code filter_fuzz_cases} generated and mutated filter strings (seeded) and
 * {@code filter_fuzz_unexpected}, those that neither parsed nor raised the grammar's error with a
 * position (goal 0). {@code bin/bench faults filter} runs that part alone.
 */
public final class FaultsBench implements Benchmark {
  static final int FILTER_CASES = 20_000;

  @Override
  public String name() {
    return "faults";
  }

  @Override
  public String description() {
    return "fuzzing: 20,000 generated and mutated filter strings (parse or a positioned syntax error)";
  }

  @Override
  public void run(String[] args) {
    FilterFuzz.Result f = FilterFuzz.run(FILTER_CASES, 7);
    System.err.printf("filter fuzz: %d parsed, %d refused with a position, %d unexpected%n", f.parsed(), f.refused(),
        f.unexpected());
    Figures.print("filter_fuzz_cases", (long) f.cases());
    Figures.print("filter_fuzz_unexpected", (long) f.unexpected());
  }
}
