package io.omelet.profile;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Drift of one column between a baseline and a current profile. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ColumnDrift {
  public String column;
  public VariableType type;
  /** Population stability index over baseline deciles (NUM, DATE) or categories (CAT, BOOL). */
  public Double psi;
  /** "ks" for NUM and DATE, "chi_square" for CAT and BOOL. */
  public String test;
  public Double statistic;
  public Double pValue;
  /** Effect size: the KS distance, or Cramér's V of the 2 x k table. */
  public Double effect;
  public double baselineMissingPct;
  public double currentMissingPct;
  public boolean drifted;
}
