package io.omelet.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/** Table-level figures. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Overview {
  public long rows;
  public int columns;
  public long missingCells;
  public double missingCellsPct;
  /** Null when duplicates were not counted (univariate profile). */
  public Long duplicateRows;
  public Double duplicateRowsPct;
  /** Spark's size estimate of the (cached) table in bytes. */
  public long estimatedSizeBytes;
  public Map<VariableType, Integer> types = new LinkedHashMap<>();
  /** Which sections were computed: "univariate" or "full". */
  public String mode;
  public double seconds;
}
