package io.omelet.commands;

import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegisteredModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code omelet models list|versions|alias}: the model registry. */
@Command(name = "models", description = "Registered models, their versions and aliases.", mixinStandardHelpOptions = true,
    subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Versions.class, ModelsCommand.Alias.class})
public final class ModelsCommand extends OmeletCommands.Group {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Registered models with their latest version and aliases.",
      footer = {"", "Example:", "  omelet models list --format json"})
  public static final class ListModels extends RegistryQuery {

    @Override
    protected void run() {
      OmeletRegistry reg = openRegistry();
      List<List<Object>> rows = new ArrayList<>();
      for (RegisteredModel m : reg.listRegisteredModels()) {
        List<ModelVersion> versions = reg.listModelVersions(m.name());
        int latest = versions.stream().mapToInt(ModelVersion::version).max().orElse(0);
        List<Object> row = new ArrayList<>();
        row.add(m.name());
        row.add(latest == 0 ? null : latest);
        row.add(versions.size());
        row.add(aliases(m.aliases()));
        row.add(Tables.time(m.lastUpdatedTime()));
        row.add(m.description());
        rows.add(row);
      }
      out().result(Tables.of("registered models",
          List.of("name", "latest_version", "versions", "aliases", "last_updated", "description"), rows, ctx().maxRows()));
    }
  }

  static String aliases(Map<String, Integer> aliases) {
    return aliases.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
  }

  @Command(name = "versions", mixinStandardHelpOptions = true, description = "The versions of a registered model, newest first.",
      footer = {"", "Example:", "  omelet models versions churn"})
  public static final class Versions extends RegistryQuery {
    @Parameters(paramLabel = "NAME", description = "the registered model")
    String name;

    @Override
    protected void run() {
      OmeletRegistry reg = openRegistry();
      Registries.call(() -> reg.getRegisteredModel(name));
      List<List<Object>> rows = new ArrayList<>();
      List<ModelVersion> versions = new ArrayList<>(reg.listModelVersions(name));
      versions.sort((a, b) -> Integer.compare(b.version(), a.version()));
      for (ModelVersion v : versions) {
        List<Object> row = new ArrayList<>();
        row.add(v.version());
        row.add(String.join(", ", v.aliases()));
        row.add(v.status());
        row.add(v.runId());
        row.add(Tables.time(v.creationTime()));
        row.add(v.tags().get("algo"));
        row.add(v.source());
        row.add(v.description());
        rows.add(row);
      }
      out().result(Tables.of("versions of " + name,
          List.of("version", "aliases", "status", "run_id", "created", "algo", "source", "description"), rows, ctx().maxRows()));
    }
  }

  @Command(name = "alias", mixinStandardHelpOptions = true, description = "Point an alias (e.g. champion) at a version, or remove it.",
      subcommands = {Alias.Set.class, Alias.Delete.class})
  public static final class Alias extends OmeletCommands.Group {

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Points ALIAS of model NAME at VERSION (moves it if it exists).",
        footer = {"", "Example:", "  omelet models alias set churn champion 3"})
    public static final class Set extends OmeletSubcommand {
      @Parameters(index = "0", paramLabel = "NAME") String name;
      @Parameters(index = "1", paramLabel = "ALIAS") String alias;
      @Parameters(index = "2", paramLabel = "VERSION") int version;

      @Mixin Options.Registry registry;

      @Override
      protected void run() {
        if (version < 1) throw usage("VERSION must be 1 or more, got " + version);
        OmeletRegistry reg = ctx().registry(registry.root);
        Registries.call(() -> reg.getModelVersion(name, version));
        Registries.run(() -> reg.setRegisteredModelAlias(name, alias, version));
        text("%s@%s -> version %d", name, alias, version);
      }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Removes ALIAS from model NAME (the version stays).",
        footer = {"", "Example:", "  omelet models alias delete churn challenger"})
    public static final class Delete extends OmeletSubcommand {
      @Parameters(index = "0", paramLabel = "NAME") String name;
      @Parameters(index = "1", paramLabel = "ALIAS") String alias;

      @Mixin Options.Registry registry;

      @Override
      protected void run() {
        OmeletRegistry reg = ctx().registry(registry.root);
        RegisteredModel m = Registries.call(() -> reg.getRegisteredModel(name));
        if (!m.aliases().containsKey(alias)) {
          throw new CommandException("model '" + name + "' has no alias '" + alias + "'; its aliases: "
              + (m.aliases().isEmpty() ? "none" : aliases(m.aliases())));
        }
        Registries.run(() -> reg.deleteRegisteredModelAlias(name, alias));
        text("alias %s@%s removed", name, alias);
      }
    }
  }
}
