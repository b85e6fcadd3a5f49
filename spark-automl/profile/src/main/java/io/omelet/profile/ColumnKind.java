package io.omelet.profile;

import io.omelet.common.FeatureCodec;
import org.apache.spark.sql.types.DataType;

/** How a column's values are read from an InternalRow during the scan. */
enum ColumnKind {
  BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, DECIMAL, DATE, TIMESTAMP, STRING, BOOLEAN, UNSUPPORTED;

  /** From the one Spark type table scoring and training use too (the kinds share their names). */
  static ColumnKind of(DataType t) {
    FeatureCodec.SparkKind k = FeatureCodec.SparkKind.of(t);
    return k == null ? UNSUPPORTED : valueOf(k.name());
  }

  boolean numeric() {
    return ordinal() <= DECIMAL.ordinal();
  }
}
