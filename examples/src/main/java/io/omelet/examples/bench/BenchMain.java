package io.omelet.examples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Entry point of bin/bench: lists the benchmarks, or runs the one named and exits. */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    List<Benchmark> all = new ArrayList<>();
    ServiceLoader.load(Benchmark.class).forEach(all::add);
    all.sort(Comparator.comparing(Benchmark::name));
    if (args.length == 0) {
      for (Benchmark b : all) System.out.printf("%-10s %s%n", b.name(), b.description());
      return;
    }
    Benchmark chosen = all.stream().filter(b -> b.name().equals(args[0])).findFirst().orElse(null);
    if (chosen == null) {
      System.err.println("unknown benchmark '" + args[0] + "'; known: "
          + all.stream().map(Benchmark::name).toList());
      System.exit(2);
    }
    int code = 0;
    try {
      chosen.run(Arrays.copyOfRange(args, 1, args.length));
    } catch (Throwable t) {
      t.printStackTrace();
      code = 1;
    }
    // An embedded H2O node keeps non-daemon threads alive: leave explicitly.
    System.out.flush();
    Runtime.getRuntime().halt(code);
  }
}
