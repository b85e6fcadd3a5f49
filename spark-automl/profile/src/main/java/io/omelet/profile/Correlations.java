package io.omelet.profile;

import java.util.ArrayList;
import java.util.List;

/** Pearson and Spearman among numeric columns, Cramér's V among categoricals (numerics binned). */
public final class Correlations {
  public CorrelationMatrix pearson;
  public CorrelationMatrix spearman;
  public CorrelationMatrix cramersV;
  /** Strongest pairs first, all methods together. */
  public List<CorrelationPair> topPairs = new ArrayList<>();
  /** Rows the coefficients were computed on. */
  public long sampleRows;
  /** True when computed on a random sample rather than on every row. */
  public boolean sampled;
}
