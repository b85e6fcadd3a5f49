package io.omelet.commands;

import io.omelet.registry.Experiment;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.ViewType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code omelet experiments list}. */
@Command(name = "experiments", description = "The registry's experiments.", mixinStandardHelpOptions = true,
    subcommands = ExperimentsCommand.ListExperiments.class)
public final class ExperimentsCommand extends OmeletCommands.Group {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Experiments with their run counts and last activity, most recent first.",
      footer = {"", "Examples:", "  omelet experiments list", "  omelet experiments list --all --format json"})
  public static final class ListExperiments extends RegistryQuery {
    @Option(names = "--all", description = "deleted experiments too")
    boolean all;

    @Override
    protected void run() {
      OmeletRegistry reg = openRegistry();
      List<Experiment> exps = reg.listExperiments(all ? ViewType.ALL : ViewType.ACTIVE_ONLY);
      // One job over the runs table for every experiment's count and latest start.
      Map<String, Row> stats = new HashMap<>();
      for (Row r : reg.spark().read().format("delta").load(reg.tablePath("runs"))
          .groupBy("experiment_id").agg(functions.count(functions.lit(1)), functions.max("start_time"))
          .collectAsList()) {
        stats.put(r.getString(0), r);
      }
      List<List<Object>> rows = new ArrayList<>();
      for (Experiment e : exps) {
        Row s = stats.get(e.experimentId());
        long last = Math.max(e.lastUpdateTime(), s == null || s.isNullAt(2) ? 0L : s.getLong(2));
        List<Object> row = new ArrayList<>();
        row.add(e.experimentId());
        row.add(e.name());
        row.add(s == null ? 0L : s.getLong(1));
        row.add(Tables.time(last));
        row.add(Tables.time(e.creationTime()));
        row.add(e.lifecycleStage());
        row.add(last);
        rows.add(row);
      }
      rows.sort((a, b) -> Long.compare((Long) b.get(6), (Long) a.get(6)));
      rows.forEach(r -> r.remove(6));
      out().result(Tables.of("experiments",
          List.of("experiment_id", "name", "runs", "last_activity", "created", "lifecycle_stage"), rows, ctx().maxRows()));
    }
  }
}
