package io.omelet.examples.bench;

/**
 * One benchmark behind {@code bin/bench NAME}. Implementations are listed in
 * META-INF/services/io.omelet.examples.bench.Benchmark and print their figures through {@link Figures}.
 */
public interface Benchmark {
  /** The NAME given to bin/bench. */
  String name();

  /** One line for the listing. */
  String description();

  void run(String[] args) throws Exception;
}
