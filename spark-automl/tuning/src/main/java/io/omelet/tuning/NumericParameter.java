package io.omelet.tuning;

/**
 * A float or integer parameter as the samplers and fANOVA model it: on a "model scale" that is the log
 * of the value for log parameters, with integers widened by half a step at each end so every integer
 * owns a cell of the same width.
 */
public sealed interface NumericParameter extends Parameter permits FloatParameter, IntParameter {
  boolean log();

  double modelLow();

  double modelHigh();

  double toModel(Object value);

  /** The value nearest to {@code x} (rounded to the step, inside the bounds). */
  Object fromModel(double x);

  /** The cell width on the model scale for a linear integer, 0 where the model scale is continuous. */
  double modelStep();

  /** {@code points} values spread evenly over the model scale (fewer for integers, no repeats), for a grid. */
  java.util.List<Object> gridValues(int points);
}
