package io.omelet.automl;

import io.omelet.registry.DatasetRef;
import io.omelet.registry.OmeletRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.delta.files.TahoeLogFileIndex;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import scala.collection.JavaConverters;

/**
 * Where a DataFrame's rows come from, as dataset references a run can record: each Delta table
 * it reads, at the version the DataFrame was analyzed against, and each file source with the
 * SHA-256 of its content. A frame built in memory has none.
 */
public final class TrainingData {
  private TrainingData() {}

  public static List<DatasetRef> references(OmeletRegistry registry, Dataset<?> df, String context) {
    List<DatasetRef> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (LogicalPlan leaf : JavaConverters.seqAsJavaList(df.queryExecution().analyzed().collectLeaves())) {
      if (!(leaf instanceof LogicalRelation rel) || !(rel.relation() instanceof HadoopFsRelation fs)) continue;
      if (fs.location() instanceof TahoeLogFileIndex delta) {
        String path = delta.path().toString();
        if (seen.add(path)) {
          out.add(DatasetRef.delta(name(path), path, delta.snapshotAtAnalysis().version(), context));
        }
      } else {
        for (org.apache.hadoop.fs.Path p : JavaConverters.seqAsJavaList(fs.location().rootPaths())) {
          String path = p.toString();
          if (seen.add(path)) out.add(registry.fileRef(name(path), path, context));
        }
      }
    }
    return out;
  }

  private static String name(String path) {
    String trimmed = path.replaceAll("/+$", "");
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }
}
