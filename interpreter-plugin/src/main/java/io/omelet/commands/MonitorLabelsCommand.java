package io.omelet.commands;

import io.omelet.inference.InferenceLabels;
import io.omelet.inference.LabelMerge;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegistryException;

import java.util.LinkedHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code omelet monitor labels}: ground truth known after serving, merged into the model's
 * inference table by request id ({@link InferenceLabels}). Everything is checked before the one
 * MERGE, so a refused input leaves the table as it was, and a re-run is safe.
 */
@Command(name = "labels", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Merges ground-truth labels into a model's inference table by request id (Delta MERGE): a re-run changes nothing,"
        + " a different label for an id replaces the earlier one and is reported, labels for ids not in the table are counted."
        + " Without --row-col a label applies to every row of its request.",
    footer = {"", "Examples:",
        "  omelet monitor labels --model churn -f churn_outcomes.csv",
        "  omelet monitor labels --model churn --table crm.outcomes --id-col ticket --label-col churned",
        "  omelet monitor labels --model churn -f batch_outcomes.parquet --row-col row --format json"})
public final class MonitorLabelsCommand extends OmeletSubcommand {
  @Option(names = {"-m", "--model"}, required = true, paramLabel = "NAME",
      description = "the registered model's name (its inference table holds every version's rows)")
  String model;

  @Mixin Options.Input input;

  @Option(names = "--id-col", paramLabel = "COL", defaultValue = "request_id",
      description = "the labels' request id column: text or whole numbers (default ${DEFAULT-VALUE})")
  String idCol;

  @Option(names = "--label-col", paramLabel = "COL", defaultValue = "label",
      description = "the labels' ground truth: a class for a classifier, a number for regression; nulls are skipped (default ${DEFAULT-VALUE})")
  String labelCol;

  @Option(names = "--row-col", paramLabel = "COL",
      description = "the row's index in its request, for requests of several rows (default: a label applies to every row of its request)")
  String rowCol;

  @Mixin Options.Registry registry;
  @Mixin Options.Format format;

  @Override
  protected void run() {
    if (model.indexOf('@') >= 0 || model.indexOf('/') >= 0) {
      throw usage("--model takes a registered model's name, not '" + model + "': one inference table holds all its versions");
    }
    DataInput in = input.input();
    ctx().format(format.format);
    ctx().spark(registry.master);
    OmeletRegistry reg = ctx().registry(registry.root);
    Dataset<Row> labels = in.read(ctx());
    LabelMerge m;
    try {
      m = SparkProgress.during(ctx(), "monitor labels",
          () -> InferenceLabels.merge(ctx().spark(), reg.root(), model, labels, idCol, labelCol, rowCol));
    } catch (IllegalArgumentException e) {
      throw new CommandException(in.location() + ": " + e.getMessage(), e);
    } catch (RegistryException e) {
      throw new CommandException(e.getMessage(), e);
    }
    text("%s", m.summary());
    LinkedHashMap<String, Object> v = new LinkedHashMap<>();
    v.put("table", m.table());
    v.put("table_version", m.version());
    v.put("labels_read", m.labelsRead());
    v.put("labels_matched", m.matchedLabels());
    v.put("labels_new", m.newLabels());
    v.put("labels_replaced", m.replacedLabels());
    if (m.replacedLabels() > 0) v.put("replaced", String.join(", ", m.replacedExamples()));
    v.put("labels_unchanged", m.unchangedLabels());
    v.put("unknown_ids", m.unknownIds());
    if (m.unknownIds() > 0) v.put("unknown_id_examples", String.join(", ", m.unknownIdExamples()));
    v.put("null_ids_ignored", m.nullIds());
    v.put("null_labels_ignored", m.nullLabels());
    v.put("rows_matched", m.rowsMatched());
    v.put("rows_updated", m.rowsUpdated());
    out().result(new CommandResult.Values("labels merged into the inference table of " + model, v));
  }
}
