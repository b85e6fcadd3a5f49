package io.omelet.commands;

import io.omelet.automl.AutoMLProfiles;
import io.omelet.automl.AutoMLRunSettings;
import io.omelet.automl.OmeletAutoML;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Preset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code omelet presets list|show|save}: AutoML profiles, built in and saved by a team. */
@Command(name = "presets", mixinStandardHelpOptions = true,
    description = "AutoML profiles: the built-in fast, balanced and thorough, and a team's own saved in the registry.",
    subcommands = {PresetsCommand.ListPresets.class, PresetsCommand.Show.class, PresetsCommand.Save.class})
public final class PresetsCommand extends OmeletCommands.Group {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every profile with its settings.",
      footer = {"", "Example:", "  omelet presets list"})
  public static final class ListPresets extends OmeletSubcommand {
    @Mixin Options.Registry registry;
    @Mixin Options.Format format;

    @Override
    protected void run() {
      ctx().format(format.format);
      OmeletRegistry reg = ctx().registry(registry.root);
      List<List<Object>> rows = new ArrayList<>();
      for (String name : AutoMLProfiles.builtInNames()) {
        rows.add(List.of(name, "built in", settings(AutoMLProfiles.settings(null, name).toMap()), ""));
      }
      for (Preset p : reg.listPresets(AutoMLProfiles.KIND)) {
        rows.add(List.of(p.name(), "registry (" + p.owner() + ", " + Tables.time(p.updatedTime()) + ")",
            settings(p.settings()), p.description() == null ? "" : p.description()));
      }
      out().result(Tables.of("AutoML profiles", List.of("name", "source", "settings", "description"), rows, ctx().maxRows()));
    }
  }

  /** AutoML's defaults, as text. */
  private static Map<String, String> defaults() {
    return AutoMLRunSettings.of(new OmeletAutoML()).toMap();
  }

  /** Only the settings a profile sets, as {@code key=value}. */
  static String settings(Map<String, String> m) {
    Map<String, String> defaults = defaults();
    StringBuilder sb = new StringBuilder();
    m.forEach((k, v) -> {
      if (v != null && !v.equals(defaults.get(k))) sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v);
    });
    return sb.toString();
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One profile's settings, every one of them.",
      footer = {"", "Example:", "  omelet presets show fast"})
  public static final class Show extends OmeletSubcommand {
    @Parameters(paramLabel = "NAME") String name;

    @Mixin Options.Registry registry;
    @Mixin Options.Format format;

    @Override
    protected void run() {
      ctx().format(format.format);
      OmeletRegistry reg = AutoMLProfiles.isBuiltIn(name) ? null : ctx().registry(registry.root);
      AutoMLRunSettings s = load(reg, name);
      List<List<Object>> rows = new ArrayList<>();
      s.toMap().forEach((k, v) -> rows.add(java.util.Arrays.asList(k, v)));
      out().result(Tables.of("profile " + name, List.of("setting", "value"), rows, ctx().maxRows()));
    }
  }

  /** Every setting of profile {@code name}; an unknown name is a command error. */
  static AutoMLRunSettings load(OmeletRegistry reg, String name) {
    try {
      return AutoMLProfiles.settings(reg, name);
    } catch (IllegalArgumentException e) {
      throw new CommandException(e.getMessage(), e);
    }
  }

  @Command(name = "save", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Saves a team profile in the registry (replacing one of that name): a base profile with settings changed.",
      footer = {"", "Examples:",
          "  omelet presets save risk-team --based-on balanced --set maxModels=20 --set excludeAlgos=DeepLearning,GLM",
          "  omelet run -f loans.csv --target default --profile risk-team"})
  public static final class Save extends OmeletSubcommand {
    @Parameters(paramLabel = "NAME") String name;

    @Option(names = "--based-on", paramLabel = "PROFILE", description = "start from this profile (default: AutoML's defaults)")
    String basedOn;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a setting, repeatable: maxModels, maxRuntimeSecs, nfolds, seed, "
        + "includeAlgos, excludeAlgos, sortMetric, stoppingRounds, balanceClasses, sample, holdoutFraction, ...")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--description", paramLabel = "TEXT") String description;

    @Mixin Options.Registry registry;

    @Override
    protected void run() {
      if (set.isEmpty() && basedOn == null) throw usage("give --set KEY=VALUE settings and/or --based-on PROFILE");
      OmeletRegistry reg = ctx().registry(registry.root);
      Map<String, String> values = basedOn == null ? defaults() : new LinkedHashMap<>(load(reg, basedOn).toMap());
      Map<String, String> known = defaults();
      for (Map.Entry<String, String> e : set.entrySet()) {
        if (!known.containsKey(e.getKey())) {
          throw usage("unknown setting '" + e.getKey() + "'; settings: " + String.join(", ", known.keySet()));
        }
        values.put(e.getKey(), e.getValue());
      }
      AutoMLRunSettings s;
      try {
        s = AutoMLRunSettings.fromMap(values);
        AutoMLProfiles.save(reg, name, s, description);
      } catch (IllegalArgumentException e) {
        throw new CommandException(e.getMessage(), e);
      }
      text("saved AutoML profile '%s': %s", name, settings(s.toMap()));
    }
  }
}
