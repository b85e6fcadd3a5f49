package io.omelet.profile;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DecimalType;

/** The per-column state of the scan: a null count plus the accumulator its kind needs. */
final class ColumnAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;
  final ColumnKind kind;
  private final int precision, scale;
  long nulls;
  long trues, falses;
  final NumericAccumulator num;
  final StringAccumulator str;

  ColumnAccumulator(ColumnKind kind, org.apache.spark.sql.types.DataType type, ProfileSettings s) {
    this.kind = kind;
    if (type instanceof DecimalType d) {
      precision = d.precision();
      scale = d.scale();
    } else {
      precision = scale = 0;
    }
    boolean integral = switch (kind) {
      case BYTE, SHORT, INT, LONG, DATE, TIMESTAMP -> true;
      default -> false;
    };
    num = kind.numeric() || kind == ColumnKind.DATE || kind == ColumnKind.TIMESTAMP
        ? new NumericAccumulator(integral, s) : null;
    str = kind == ColumnKind.STRING ? new StringAccumulator(s) : null;
  }

  /** Folds the non-null value at {@code i}. */
  void add(InternalRow row, int i) {
    switch (kind) {
      case BYTE -> num.addLong(row.getByte(i));
      case SHORT -> num.addLong(row.getShort(i));
      case INT, DATE -> num.addLong(row.getInt(i));
      case LONG, TIMESTAMP -> num.addLong(row.getLong(i));
      case FLOAT -> num.addDouble(row.getFloat(i));
      case DOUBLE -> num.addDouble(row.getDouble(i));
      case DECIMAL -> num.addDouble(row.getDecimal(i, precision, scale).toDouble());
      case STRING -> str.add(row.getUTF8String(i));
      case BOOLEAN -> {
        if (row.getBoolean(i)) trues++;
        else falses++;
      }
      case UNSUPPORTED -> { }
    }
  }

  void merge(ColumnAccumulator o) {
    nulls += o.nulls;
    trues += o.trues;
    falses += o.falses;
    if (num != null) num.merge(o.num);
    if (str != null) str.merge(o.str);
  }
}
