package io.omelet.tuning;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** Each parameter drawn uniformly (on the log scale for log parameters), independently of the history. */
public final class RandomSampler implements Sampler {
  private final Random rng;

  public RandomSampler(long seed) {
    this.rng = new Random(seed);
  }

  @Override
  public Map<String, Object> sample(SearchSpace space, List<Trial> trials, Direction direction) {
    return space.sampleUniform(rng);
  }

  @Override
  public String name() {
    return "random";
  }
}
