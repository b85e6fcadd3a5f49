package io.omelet.commands;

import io.omelet.inference.InferenceRows;
import io.omelet.inference.InferenceTable;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegistryException;
import io.omelet.registry.ResolvedModel;
import io.omelet.scoring.LoadedModel;
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
        "  omelet predict --model churn@champion --table new_customers --log   (the rows go to <registry>/inference/churn)",
        "  omelet predict --model runs:/<run_id>/model/model.zip --delta /data/customers -o /data/scored --out-format delta"})
public final class PredictCommand extends OmeletSubcommand {
  @Option(names = {"-m", "--model"}, required = true, paramLabel = "URI",
      description = "name@alias, name/version or runs:/<run_id>/<path>")
  String model;

  @Mixin Options.Input input;
  @Mixin Options.Output output;

  @Option(names = "--overwrite", description = "replace the output if it exists")
  boolean overwrite;

  @Option(names = "--log", description = "also append the scored rows to the model's inference table"
      + " (<registry>/inference/<model>), one Delta commit for the job; needs a registered model's MOJO (name@alias or name/version)")
  boolean log;

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
    if (log && resolved.name() == null) {
      throw new CommandException("--log needs a registered model: '" + model + "' is a run artifact, and inference"
          + " tables are per registered model; register it and score it as name@alias or name/version");
    }
    if (log && sparkMl) {
      throw new CommandException("--log records the scores of MOJO models; '" + model + "' is a Spark ML model"
          + " (" + SparkMlModels.className(conf, resolved.location()) + "), which has no inference table yet");
    }
    Transformer sparkModel = null;
    LoadedModel loaded = null;
    if (sparkMl) {
      try {
        sparkModel = SparkMlModels.load(conf, resolved.location());
      } catch (IllegalArgumentException e) {
        throw new CommandException(e.getMessage(), e);
      }
    } else {
      try {
        loaded = ModelLoader.load(reg, model);
      } catch (IllegalArgumentException e) {
        throw new CommandException(e.getMessage(), e);
      }
    }
    // before any scoring: a registry root that cannot take the table fails now, naming the folder
    InferenceTable table = null;
    if (log) {
      try {
        table = InferenceTable.open(ctx().spark(), reg.root(), loaded);
      } catch (RegistryException e) {
        throw new CommandException("--log: " + e.getMessage(), e);
      }
    }
    Dataset<Row> rows = in.read(ctx());
    MojoScorer scorer = sparkMl ? null : new MojoScorer().setModelUri(model).setRegistryRoot(reg.root());
    Dataset<Row> scored;
    try {
      scored = sparkMl ? SparkMlModels.score(sparkModel, rows) : scorer.transform(rows);
    } catch (IllegalArgumentException e) {
      throw new CommandException("cannot score " + in.location() + " with " + model + ": " + e.getMessage(), e);
    }
    boolean writes = output.out != null || output.into != null;
    if (log) {
      // scored once for both: the table's append fills the cache the output then reads (and releases)
      Dataset<Row> toLog = writes ? scored.cache() : scored;
      InferenceTable logTo = table;
      InferenceTable.Appended a;
      try {
        a = SparkProgress.during(ctx(), "predict-log", () -> logTo.append(InferenceRows.of(toLog, scorer)));
      } catch (CommandException e) {
        if (writes) scored.unpersist(false);
        throw e;
      } catch (RuntimeException e) {
        if (writes) scored.unpersist(false);
        String input = Errors.inputError(e);
        throw new CommandException(input != null ? input : "--log: cannot append to the inference table "
            + logTo.path() + ": " + Errors.oneLine(e), e);
      }
      text("logged %d scored rows to the inference table %s (Delta version %d, job %s)", a.rows(), a.path(),
          a.version(), a.jobId());
    }
    long written = -1;
    if (writes) {
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
