package io.omelet.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Null counts per column and which columns are null together. (A variable's {@code missing} also
 * counts NaN; this section counts nulls, the values Spark itself calls missing.)
 */
public final class MissingValues {
  public Map<String, Long> counts = new LinkedHashMap<>();
  /** Columns with at least one missing value, in table order: the axes of {@link #together}. */
  public String[] columns = new String[0];
  /** together[i][j]: rows where columns[i] and columns[j] are both missing. */
  public long[][] together = new long[0][0];
  /** The most frequent patterns of missing columns. */
  public List<Pattern> patterns = new ArrayList<>();
  /** Rows with no missing value. */
  public long completeRows;
  /** False when the table had more distinct missing patterns than tracked (together is then a lower bound). */
  public boolean patternsComplete = true;

  /** A set of columns missing together in {@code count} rows. */
  public static final class Pattern {
    public List<String> columns;
    public long count;

    public Pattern() {}

    public Pattern(List<String> columns, long count) {
      this.columns = columns;
      this.count = count;
    }
  }

}
