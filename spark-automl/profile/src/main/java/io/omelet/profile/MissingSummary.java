package io.omelet.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;

/** Builds {@link MissingValues} from the scan's counted patterns of missing columns. */
final class MissingSummary {
  private static final int MAX_PATTERNS_SHOWN = 20;

  private MissingSummary() {}

  static MissingValues of(StructField[] fields, PartitionScan all) {
    MissingValues m = new MissingValues();
    List<Integer> withMissing = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      long c = all.columns[i].nulls;
      m.counts.put(fields[i].name(), c);
      if (c > 0) withMissing.add(i);
    }
    int k = withMissing.size();
    m.columns = new String[k];
    for (int a = 0; a < k; a++) m.columns[a] = fields[withMissing.get(a)].name();
    m.together = new long[k][k];
    long withNulls = 0;
    List<MissingValues.Pattern> patterns = new ArrayList<>();
    for (Map.Entry<PartitionScan.BitKey, long[]> e : all.missingPatterns.entrySet()) {
      PartitionScan.BitKey key = e.getKey();
      long cnt = e.getValue()[0];
      withNulls += cnt;
      List<String> names = new ArrayList<>();
      for (int a = 0; a < k; a++) {
        if (!key.get(withMissing.get(a))) continue;
        names.add(m.columns[a]);
        for (int b = 0; b < k; b++) if (key.get(withMissing.get(b))) m.together[a][b] += cnt;
      }
      patterns.add(new MissingValues.Pattern(names, cnt));
    }
    patterns.sort((x, y) -> Long.compare(y.count, x.count));
    m.patterns = new ArrayList<>(patterns.subList(0, Math.min(MAX_PATTERNS_SHOWN, patterns.size())));
    m.patternsComplete = !all.patternsOverflowed;
    m.completeRows = all.rows - withNulls - all.patternsDropped;
    return m;
  }
}
