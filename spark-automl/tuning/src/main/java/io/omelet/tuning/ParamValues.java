package io.omelet.tuning;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import scala.Function1;

/** Sampled values as the values of the Spark ML Params they set: converted to the Param's type and validated by it. */
final class ParamValues {
  private ParamValues() {}

  /** A sampled value as the Param's own type. */
  static Object convert(Param<?> p, Object v) {
    if (p instanceof IntParam) {
      double d = ((Number) v).doubleValue();
      if (d != Math.rint(d)) throw new IllegalArgumentException(v + " is not an integer");
      return (int) d;
    }
    if (p instanceof LongParam) return ((Number) v).longValue();
    if (p instanceof DoubleParam) return ((Number) v).doubleValue();
    if (p instanceof FloatParam) return ((Number) v).floatValue();
    if (p instanceof BooleanParam) {
      if (v instanceof Boolean) return v;
      if ("true".equalsIgnoreCase(String.valueOf(v)) || "false".equalsIgnoreCase(String.valueOf(v))) {
        return Boolean.parseBoolean(String.valueOf(v));
      }
      throw new IllegalArgumentException(v + " is not a boolean");
    }
    return v;
  }

  /** The bounds of a numeric parameter and every choice of a categorical, checked with the Param's own validator. */
  static void checkValid(Param<?> p, Parameter param) {
    List<Object> values = new ArrayList<>();
    if (param instanceof FloatParameter f) {
      values.add(f.low());
      values.add(f.high());
    } else if (param instanceof IntParameter i) {
      values.add(i.low());
      values.add(i.high());
    } else {
      values.addAll(((CategoricalParameter) param).choices());
    }
    for (Object v : values) {
      Object converted;
      try {
        converted = convert(p, v);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("parameter " + param.name() + ": " + v + " is not a value of " + describe(p)
            + " (" + e.getMessage() + ")");
      }
      boolean ok;
      try {
        @SuppressWarnings("unchecked")
        Function1<Object, Object> valid = (Function1<Object, Object>) (Function1<?, ?>) p.isValid();
        ok = Boolean.TRUE.equals(valid.apply(converted));
      } catch (ClassCastException e) {
        ok = false;
      }
      if (!ok) {
        throw new IllegalArgumentException("parameter " + param.name() + ": " + v + " is not a valid value of "
            + describe(p) + " (" + p.doc() + ")");
      }
    }
  }

  static String describe(Param<?> p) {
    return p.name() + " of " + p.parent();
  }
}
