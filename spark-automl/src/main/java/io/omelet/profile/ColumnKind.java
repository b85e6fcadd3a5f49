package io.omelet.profile;

import org.apache.spark.sql.types.*;

/** How a column's values are read from an InternalRow during the scan. */
enum ColumnKind {
  BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, DECIMAL, DATE, TIMESTAMP, STRING, BOOLEAN, UNSUPPORTED;

  static ColumnKind of(DataType t) {
    if (t instanceof ByteType) return BYTE;
    if (t instanceof ShortType) return SHORT;
    if (t instanceof IntegerType) return INT;
    if (t instanceof LongType) return LONG;
    if (t instanceof FloatType) return FLOAT;
    if (t instanceof DoubleType) return DOUBLE;
    if (t instanceof DecimalType) return DECIMAL;
    if (t instanceof DateType) return DATE;
    if (t instanceof TimestampType || t instanceof TimestampNTZType) return TIMESTAMP;
    if (t instanceof StringType) return STRING;
    if (t instanceof BooleanType) return BOOLEAN;
    return UNSUPPORTED;
  }

  boolean numeric() {
    return ordinal() <= DECIMAL.ordinal();
  }
}
