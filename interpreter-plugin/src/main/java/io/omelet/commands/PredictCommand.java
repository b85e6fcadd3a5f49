package io.omelet.commands;

import io.omelet.registry.OmeletRegistry;
import io.omelet.scoring.LoadedModel;
import io.omelet.scoring.ModelLoader;
import io.omelet.scoring.MojoScorer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code omelet predict}: batch scoring on Spark with a registered model. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Scores rows with a registered model on Spark (its MOJO, no H2O cluster needed) and writes them with the prediction and, for a classifier, one p_<class> probability column per class.",
    footer = {"", "Examples:",
        "  omelet predict --model churn@champion -f new_customers.csv -o scored.csv",
        "  omelet predict --model churn/3 --table new_customers --into scored_customers",
        "  omelet predict --model runs:/<run_id>/model/model.zip --delta /data/customers -o /data/scored --out-format delta"})
public final class PredictCommand extends OmeletSubcommand {
  @Option(names = {"-m", "--model"}, required = true, paramLabel = "URI",
      description = "name@alias, name/version or runs:/<run_id>/<path>")
  String model;

  @Mixin Options.Input input;
  @Mixin Options.Output output;

  @Option(names = "--overwrite", description = "replace the output if it exists")
  boolean overwrite;

  @Option(names = "--show", paramLabel = "N", defaultValue = "10", description = "scored rows to show (default ${DEFAULT-VALUE})")
  int show;

  @Mixin Options.Registry registry;

  @Override
  protected void run() {
    DataInput in = input.input();
    ctx().spark(registry.master);
    OmeletRegistry reg = ctx().registry(registry.root);
    LoadedModel loaded;
    try {
      loaded = ModelLoader.load(reg, model);
    } catch (IllegalArgumentException e) {
      throw new CommandException(e.getMessage(), e);
    }
    Dataset<Row> rows = in.read(ctx());
    MojoScorer scorer = new MojoScorer().setModelUri(model).setRegistryRoot(reg.root());
    Dataset<Row> scored;
    try {
      scored = scorer.transform(rows);
    } catch (IllegalArgumentException e) {
      throw new CommandException("cannot score " + in.location() + " with " + model + ": " + e.getMessage(), e);
    }
    long written = -1;
    if (output.out != null || output.into != null) {
      DataOutput.Written w = SparkProgress.during(ctx(), "predict", () -> DataOutput.write(ctx(), scored, output, overwrite));
      text("scored %d rows of %s with %s (%s) -> %s", w.rows(), in.location(), model,
          loaded.resolved().version() != null ? "version " + loaded.resolved().version() : loaded.resolved().location(),
          w.location());
      written = w.rows();
    }
    if (show > 0) {
      out().result(Tables.of("scored rows", scored.drop("probability"), Math.min(show, ctx().maxRows()), written));
    }
  }
}
