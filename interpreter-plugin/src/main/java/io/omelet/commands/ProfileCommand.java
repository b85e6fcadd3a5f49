package io.omelet.commands;

import io.omelet.profile.ColumnDrift;
import io.omelet.profile.DataProfiler;
import io.omelet.profile.DriftReport;
import io.omelet.profile.Profile;
import io.omelet.profile.ProfileDrift;
import io.omelet.profile.ProfileMode;
import io.omelet.registry.ActiveRun;
import io.omelet.registry.OmeletRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code omelet profile}: statistics, alerts, correlations and drift of a table. */
@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Profiles a table in one pass: per-column statistics, histograms, alerts, missing values, correlations and duplicates; writes profile.html (one self-contained page) and profile.json. With --against, also the drift of this data from an earlier profile.",
    footer = {"", "Examples:",
        "  omelet profile -f data/credit_data.csv -o credit-profile",
        "  omelet profile --table customers --track customers          # kept as artifacts of a run",
        "  omelet profile -f march.csv --against credit-profile/profile.json",
        "  omelet profile -f march.csv --against <run_id>             # the profile a run stored"})
public final class ProfileCommand extends OmeletSubcommand {
  @Mixin Options.Input input;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "omelet-out/profile",
      description = "folder for profile.html, profile.json (and drift.json) (default ${DEFAULT-VALUE})")
  String out;

  @Option(names = "--mode", paramLabel = "MODE", defaultValue = "full",
      description = "full (correlations and duplicates too) or univariate (one pass, fastest) (default ${DEFAULT-VALUE})")
  String mode;

  @Option(names = "--against", paramLabel = "PROFILE_OR_RUN",
      description = "a profile.json file, or a run id whose 'profile' artifacts hold one: report drift against it")
  String against;

  @Option(names = "--track", paramLabel = "EXPERIMENT",
      description = "keep the profile as artifacts of a new run in this experiment (for later --against RUN_ID)")
  String track;

  @Mixin Options.Registry registry;

  @Override
  protected void run() throws IOException {
    ProfileMode m = switch (mode.toLowerCase(java.util.Locale.ROOT)) {
      case "full" -> ProfileMode.FULL;
      case "univariate", "fast" -> ProfileMode.UNIVARIATE;
      default -> throw usage("--mode must be full or univariate, got '" + mode + "'");
    };
    DataInput in = input.input();
    Path dir = OutputFolder.create(ctx(), out);
    ctx().spark(registry.master);
    Profile baseline = against == null ? null : baseline(against);
    Dataset<Row> data = in.read(ctx());
    Profile profile = SparkProgress.during(ctx(), "profile", () -> new DataProfiler().setMode(m).profile(data.cache()));
    try {
      Path html = profile.writeHtml(dir.resolve("profile.html"));
      Path json = profile.writeJson(dir.resolve("profile.json"));
      List<CommandResult.WrittenFile> files = new ArrayList<>(List.of(
          new CommandResult.WrittenFile("report", html), new CommandResult.WrittenFile("profile (JSON)", json)));
      text("%s: %d rows x %d columns, %d alerts%s, %.1f s", in.location(), profile.overview.rows,
          profile.overview.columns, profile.alerts.size(), profile.overview.duplicateRows == null ? ""
              : ", " + profile.overview.duplicateRows + " duplicate rows", profile.overview.seconds);
      out().result(Tables.of("columns", profile.toDataFrame(ctx().spark()), ctx().maxRows()));
      if (!profile.alerts.isEmpty()) {
        List<List<Object>> alerts = new ArrayList<>();
        profile.alerts.forEach(a -> alerts.add(java.util.Arrays.asList(a.type.name(), a.column, a.message)));
        out().result(Tables.of("alerts", List.of("alert", "column", "message"), alerts, ctx().maxRows()));
      }
      out().result(new CommandResult.Html("profile of " + in.location(), profile.toHtmlFragment()));
      if (baseline != null) {
        DriftReport drift = new ProfileDrift().compare(baseline, profile);
        files.add(new CommandResult.WrittenFile("drift (JSON)", drift.writeJson(dir.resolve("drift.json"))));
        out().result(driftTable(drift, ctx().maxRows()));
        text("drift against %s: %d of %d columns drifted%s", against,
            drift.columns.stream().filter(c -> c.drifted).count(), drift.columns.size(),
            drift.alerts.isEmpty() ? "" : "; " + String.join("; ", drift.alerts));
      }
      if (track != null) {
        OmeletRegistry reg = ctx().registry(registry.root);
        try (ActiveRun run = reg.startRun(track, "profile-" + in.name())) {
          profile.logTo(reg, run.runId(), "profile");
          run.logMetric("rows", profile.overview.rows).logMetric("alerts", profile.alerts.size());
          run.setTag(io.omelet.registry.Tags.KIND, "profile");
          io.omelet.automl.TrainingData.references(reg, data, "profiled").forEach(run::logInput);
          text("tracked as run %s in experiment %s (use --against %s later)", run.runId(), track, run.runId());
        }
      }
      out().result(new CommandResult.Files("written", files));
    } finally {
      data.unpersist(false);
    }
  }

  private Profile baseline(String ref) throws IOException {
    Path file = Paths.get(ctx().resolvePath(ref));
    if (Files.isRegularFile(file)) {
      try {
        return Profile.readJson(file);
      } catch (IOException | RuntimeException e) {
        throw new CommandException("--against " + ref + ": not a profile JSON (" + Errors.oneLine(e) + ")", e);
      }
    }
    if (Files.isDirectory(file) && Files.isRegularFile(file.resolve("profile.json"))) {
      return Profile.readJson(file.resolve("profile.json"));
    }
    if (!ref.matches("[0-9a-f]{32}")) {
      throw new CommandException("--against " + ref + ": no such profile file, and not a run id");
    }
    OmeletRegistry reg = ctx().registry(registry.root);
    Registries.call(() -> reg.getRunInfo(ref));
    try {
      return Profile.fromRun(reg, ref, "profile");
    } catch (RuntimeException e) {
      throw new CommandException("--against " + ref + ": the run holds no profile artifact (" + Errors.oneLine(e) + ")", e);
    }
  }

  static CommandResult.Table driftTable(DriftReport d, int maxRows) {
    List<List<Object>> rows = new ArrayList<>();
    for (ColumnDrift c : d.columns) {
      rows.add(java.util.Arrays.asList(c.column, c.type == null ? null : c.type.name(), c.drifted, c.psi, c.test,
          c.statistic, c.pValue, c.effect, c.baselineMissingPct, c.currentMissingPct));
    }
    return Tables.of("drift", List.of("column", "type", "drifted", "psi", "test", "statistic", "p_value", "effect",
        "baseline_missing_pct", "current_missing_pct"), rows, maxRows);
  }
}
