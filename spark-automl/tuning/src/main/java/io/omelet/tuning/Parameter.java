package io.omelet.tuning;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One searched hyper-parameter. Its name is what the layer above maps to its own setting (e.g. a Spark
 * ML {@code Param}); names may be qualified, like {@code gbt.maxDepth}. The static factories are the
 * way to build one; each checks its arguments and says what is wrong.
 */
public sealed interface Parameter permits NumericParameter, CategoricalParameter {
  String name();

  /**
   * The value as this parameter holds it (an Integer for an integer parameter, a Double for a float, the
   * choice itself for a categorical), or an IllegalArgumentException naming the parameter when the value
   * is not one it can take. Values read back from JSON (a Long, a numeric String) are accepted.
   */
  Object canonical(Object value);

  /** A value drawn uniformly (on the log scale for log parameters). */
  Object sampleUniform(Random rng);

  static FloatParameter uniform(String name, double low, double high) {
    return new FloatParameter(name, low, high, false);
  }

  static FloatParameter logUniform(String name, double low, double high) {
    return new FloatParameter(name, low, high, true);
  }

  static IntParameter integer(String name, int low, int high) {
    return new IntParameter(name, low, high, 1, false);
  }

  static IntParameter integer(String name, int low, int high, int step) {
    return new IntParameter(name, low, high, step, false);
  }

  static IntParameter logInteger(String name, int low, int high) {
    return new IntParameter(name, low, high, 1, true);
  }

  static CategoricalParameter categorical(String name, Object... choices) {
    return categorical(name, Arrays.asList(choices));
  }

  static CategoricalParameter categorical(String name, List<?> choices) {
    return new CategoricalParameter(name, choices);
  }

  static String checkName(String name) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("a parameter needs a non-blank name");
    return name;
  }
}
