package io.omelet.profile;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The per-column statistics of a profile as a DataFrame. */
public final class ProfileTable {
  private ProfileTable() {}

  private static final String[] NAMES = {
    "column", "type", "spark_type", "count", "missing", "missing_pct", "distinct", "distinct_exact",
    "unique_pct", "mean", "std", "min", "max", "sum", "zeros", "zeros_pct", "negatives", "infinite",
    "p5", "p25", "p50", "p75", "p95", "iqr", "skewness", "kurtosis", "cv", "top_value", "top_count",
    "min_length", "max_length", "mean_length", "min_date", "max_date"
  };
  private static final DataType[] TYPES = {
    DataTypes.StringType, DataTypes.StringType, DataTypes.StringType, DataTypes.LongType,
    DataTypes.LongType, DataTypes.DoubleType, DataTypes.LongType, DataTypes.BooleanType,
    DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType,
    DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.LongType, DataTypes.DoubleType,
    DataTypes.LongType, DataTypes.LongType, DataTypes.DoubleType, DataTypes.DoubleType,
    DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType,
    DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.StringType,
    DataTypes.LongType, DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.DoubleType,
    DataTypes.StringType, DataTypes.StringType
  };

  public static final StructType SCHEMA;

  static {
    StructField[] f = new StructField[NAMES.length];
    for (int i = 0; i < f.length; i++) f[i] = DataTypes.createStructField(NAMES[i], TYPES[i], true);
    SCHEMA = DataTypes.createStructType(f);
  }

  static Dataset<Row> toDataFrame(Profile p, SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (VariableProfile v : p.variables) {
      ValueCount top = v.topValues == null || v.topValues.isEmpty() ? null : v.topValues.get(0);
      rows.add(RowFactory.create(
          v.name, v.type.name(), v.sparkType, v.count, v.missing, v.missingPct, v.distinct, v.distinctExact,
          v.uniquePct, v.mean, v.std, v.min, v.max, v.sum, v.zeros, v.zerosPct, v.negatives, v.infinite,
          v.p5, v.p25, v.p50, v.p75, v.p95, v.iqr, v.skewness, v.kurtosis, v.cv,
          top == null ? null : top.value, top == null ? null : top.count,
          v.minLength, v.maxLength, v.meanLength, v.minDate, v.maxDate));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }
}
