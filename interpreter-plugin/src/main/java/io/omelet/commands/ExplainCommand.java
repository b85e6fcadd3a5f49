package io.omelet.commands;

import io.omelet.explain.ShapExplainer;
import io.omelet.explain.ShapSummary;
import io.omelet.registry.OmeletRegistry;
import io.omelet.scoring.MojoScorer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code omelet explain}: SHAP values of a registered model, per row and overall. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Explains a registered model's predictions with SHAP: exact TreeSHAP through the MOJO for GBM, DRF, XGBoost and GLM; KernelSHAP otherwise. Writes per-row values, the global importance and SVG plots.",
    footer = {"", "Examples:",
        "  omelet explain --model churn@champion -f new_customers.csv --limit 200 -o shap.json --plots shap-plots",
        "  omelet explain --model churn/2 --table new_customers --method kernel --limit 50"})
public final class ExplainCommand extends OmeletSubcommand {
  @Option(names = {"-m", "--model"}, required = true, paramLabel = "URI", description = "name@alias, name/version or runs:/<run_id>/<path>")
  String model;

  @Mixin Options.Input input;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "rows to explain (default ${DEFAULT-VALUE}; 0 for all)")
  int limit;

  @Option(names = "--method", paramLabel = "METHOD", defaultValue = "auto", description = "auto, tree or kernel (default ${DEFAULT-VALUE})")
  String method;

  @Mixin Options.Output output;

  @Option(names = "--overwrite", description = "replace the output if it exists")
  boolean overwrite;

  @Option(names = "--plots", paramLabel = "DIR", description = "write the summary and top dependence plots (SVG) here")
  String plots;

  @Option(names = "--top", paramLabel = "N", defaultValue = "3", description = "dependence plots of the N most important features (default ${DEFAULT-VALUE})")
  int top;

  @Mixin Options.Registry registry;

  @Override
  protected void run() throws IOException {
    if (limit < 0) throw usage("--limit must be 0 (all rows) or more, got " + limit);
    if (!List.of("auto", "tree", "kernel").contains(method)) throw usage("--method must be auto, tree or kernel, got '" + method + "'");
    DataInput in = input.input();
    Path plotDir = plots == null ? null : OutputFolder.create(ctx(), plots);
    ctx().spark(registry.master);
    OmeletRegistry reg = ctx().registry(registry.root);
    Registries.call(() -> reg.resolveModel(model));
    Dataset<Row> rows = in.read(ctx());
    if (limit > 0) rows = rows.limit(limit);
    MojoScorer scorer = new MojoScorer().setModelUri(model).setRegistryRoot(reg.root());
    ShapExplainer explainer = new ShapExplainer().setModel(scorer).setMethod(method);
    Dataset<Row> explained;
    try {
      explained = explainer.transform(rows).cache();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandException("cannot explain " + model + ": " + e.getMessage(), e);
    }
    Dataset<Row> ex = explained;
    try {
      long n = SparkProgress.during(ctx(), "explain", () -> ex.count());
      String what = explainer.describeOutput();
      ShapSummary summary = ShapSummary.of(explained, explainer.getOutputCol(), explainer.getBaseValueCol(), what, 2000, 42);
      List<List<Object>> imp = new ArrayList<>();
      double[] mean = summary.meanAbsShap();
      Integer[] order = new Integer[mean.length];
      for (int i = 0; i < order.length; i++) order[i] = i;
      java.util.Arrays.sort(order, (a, b) -> Double.compare(mean[b], mean[a]));
      for (int i : order) imp.add(List.of(summary.features().get(i), mean[i]));
      text("explained %d rows of %s with %s (%s)", n, in.location(), model, what);
      out().result(Tables.of("mean |SHAP| per feature", List.of("feature", "mean_abs_shap"), imp, ctx().maxRows()));
      List<String> svgs = new ArrayList<>();
      List<CommandResult.WrittenFile> files = new ArrayList<>();
      svgs.add(summary.summaryPlotSvg(20));
      for (int k = 0; k < Math.min(top, order.length); k++) svgs.add(summary.dependencePlotSvg(summary.features().get(order[k])));
      out().result(new CommandResult.Html("SHAP of " + model, ShapSummary.html("SHAP: " + what, svgs.toArray(new String[0]))));
      if (plotDir != null) {
        files.add(new CommandResult.WrittenFile("summary plot", ShapSummary.write(plotDir.resolve("shap_summary.svg"), svgs.get(0))));
        for (int k = 1; k < svgs.size(); k++) {
          String f = summary.features().get(order[k - 1]).replaceAll("[^A-Za-z0-9_-]", "_");
          files.add(new CommandResult.WrittenFile("dependence plot", ShapSummary.write(plotDir.resolve("shap_dependence_" + f + ".svg"), svgs.get(k))));
        }
      }
      if (output.out != null || output.into != null) {
        DataOutput.Written w = DataOutput.write(ctx(), explained, output, overwrite);
        files.add(new CommandResult.WrittenFile("per-row SHAP (" + w.rows() + " rows)", Path.of(w.location())));
      }
      if (!files.isEmpty()) out().result(new CommandResult.Files("written", files));
    } finally {
      explained.unpersist(false);
    }
  }
}
