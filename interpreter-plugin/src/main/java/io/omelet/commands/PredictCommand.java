package io.omelet.commands;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegistryException;
import io.omelet.registry.ResolvedModel;
import io.omelet.scoring.ModelLoader;
import io.omelet.scoring.MojoScorer;
import io.omelet.scoring.SparkMlModels;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code omelet predict}: batch scoring on Spark with a registered model. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Scores rows with a registered model on Spark (an AutoML model's MOJO, no H2O cluster needed; a tuned Spark ML pipeline with Spark ML) and writes them with the prediction and, for a classifier, one p_<class> probability column per class.",
    footer = {"", "Examples:",
        "  omelet predict --model churn@champion -f new_customers.csv -o scored.csv",
        "  omelet predict --model churn/3 --table new_customers --into scored_customers",
        "  omelet predict --model churn-tuned@champion -f new_customers.csv -o scored.parquet",
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
    ResolvedModel resolved;
    try {
      resolved = reg.resolveModel(model);
    } catch (RegistryException e) {
      throw new CommandException("cannot resolve model '" + model + "': " + e.getMessage(), e);
    }
    Configuration conf = ctx().spark().sparkContext().hadoopConfiguration();
    // A Spark ML model (e.g. registered by 'omelet tune') is scored by Spark ML itself; the rest are MOJOs.
    boolean sparkMl = SparkMlModels.isSparkMl(conf, resolved.location());
    Transformer sparkModel = null;
    if (sparkMl) {
      try {
        sparkModel = SparkMlModels.load(conf, resolved.location());
      } catch (IllegalArgumentException e) {
        throw new CommandException(e.getMessage(), e);
      }
    } else {
      try {
        ModelLoader.load(reg, model);
      } catch (IllegalArgumentException e) {
        throw new CommandException(e.getMessage(), e);
      }
    }
    Dataset<Row> rows = in.read(ctx());
    Dataset<Row> scored;
    try {
      scored = sparkMl ? SparkMlModels.score(sparkModel, rows)
          : new MojoScorer().setModelUri(model).setRegistryRoot(reg.root()).transform(rows);
    } catch (IllegalArgumentException e) {
      throw new CommandException("cannot score " + in.location() + " with " + model + ": " + e.getMessage(), e);
    }
    long written = -1;
    if (output.out != null || output.into != null) {
      DataOutput.Written w = SparkProgress.during(ctx(), "predict", () -> DataOutput.write(ctx(), scored, output, overwrite));
      text("scored %d rows of %s with %s (%s) -> %s", w.rows(), in.location(), model,
          resolved.version() != null ? "version " + resolved.version() : resolved.location(),
          w.location());
      written = w.rows();
    }
    if (show > 0) {
      out().result(Tables.of("scored rows", scored.drop("probability"), Math.min(show, ctx().maxRows()), written));
    }
  }
}
