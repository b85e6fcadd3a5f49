package io.omelet.scoring;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Adds {@code omelet_predict} and {@code omelet_explain} to every session built with
 * {@code spark.sql.extensions=io.omelet.scoring.OmeletSparkExtensions}, so {@code spark-sql}, the
 * Thrift server and Zeppelin's {@code %sql} can call them with no code (several extensions are
 * separated by commas).
 */
public final class OmeletSparkExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    OmeletFunctions.descriptions().forEach(extensions::injectFunction);
    return BoxedUnit.UNIT;
  }
}
