package io.omelet.zeppelin;

import io.omelet.commands.CommandContext;
import io.omelet.commands.CommandSink;
import io.omelet.commands.OmeletCommands;
import io.omelet.registry.Experiment;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegisteredModel;
import io.omelet.registry.SearchRunsRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalog.Table;
import org.apache.zeppelin.interpreter.thrift.InterpreterCompletion;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Completion for {@code %omelet} paragraphs, from the command language itself (picocli's model
 * of every command) and from what the session and the registry hold: subcommands, options, table
 * names, the columns of the table the line reads, experiment names, registered models and their
 * aliases, and {@code metrics.}/{@code params.}/{@code tags.} keys inside {@code --filter}.
 * Never starts Spark: without a running session only the command language is offered.
 */
final class OmeletCompleter {
  private final Supplier<SparkSession> runningSession;
  private final String defaultRegistryRoot;
  private final Path workDir;

  /** @param runningSession the session if one runs, else null */
  OmeletCompleter(Supplier<SparkSession> runningSession, String defaultRegistryRoot, Path workDir) {
    this.runningSession = runningSession;
    this.defaultRegistryRoot = defaultRegistryRoot;
    this.workDir = workDir;
  }

  List<InterpreterCompletion> complete(String buffer, int cursor) {
    List<String> words = ParagraphParser.wordsBefore(buffer == null ? "" : buffer, cursor);
    String current = words.get(words.size() - 1);
    List<String> before = words.subList(0, words.size() - 1);

    CommandLine cl = OmeletCommands.commandLine(CommandContext.of(null, CommandSink.collecting(), workDir));
    CommandSpec spec = cl.getCommandSpec();
    int i = 0;
    // walk the subcommands named so far
    while (i < before.size() && spec.subcommands().containsKey(before.get(i))) {
      spec = spec.subcommands().get(before.get(i)).getCommandSpec();
      i++;
    }
    String previous = before.isEmpty() ? null : before.get(before.size() - 1);
    OptionSpec valueOf = previous != null && previous.startsWith("-") ? spec.findOption(previous) : null;
    if (valueOf != null && valueOf.arity().min() > 0) {
      return values(valueOf, current, before);
    }
    if (current.startsWith("--filter=")) {
      return prefixed("--filter=", filterKeys(current.substring(9), before), "filter key");
    }
    List<InterpreterCompletion> out = new ArrayList<>();
    if (current.startsWith("-")) {
      for (OptionSpec o : spec.options()) {
        for (String n : o.names()) {
          if (n.startsWith(current) && !before.contains(n)) out.add(new InterpreterCompletion(n, n, "option"));
        }
      }
      return out;
    }
    if (i == before.size()) {
      for (String name : spec.subcommands().keySet()) {
        if (name.startsWith(current)) out.add(new InterpreterCompletion(name, name, "command"));
      }
    }
    return out;
  }

  private List<InterpreterCompletion> values(OptionSpec option, String current, List<String> before) {
    String name = option.longestName();
    List<String> candidates = switch (name) {
      case "--table", "--into" -> tables();
      case "--target" -> columns(valueAfter(before, "--table"));
      case "--experiment" -> experiments(before);
      case "--model" -> models(before);
      case "--profile" -> List.of("fast", "balanced", "thorough");
      case "--filter" -> filterKeys(current, before);
      case "--format", "--out-format" -> List.of("table", "csv", "json");
      default -> List.of();
    };
    if (name.equals("--filter")) return prefixed("", candidates, "filter key");
    List<InterpreterCompletion> out = new ArrayList<>();
    for (String c : candidates) if (c.startsWith(current)) out.add(new InterpreterCompletion(c, c, name.substring(2)));
    return out;
  }

  /** Inside a filter, the word being typed is the last one of the expression so far. */
  private List<String> filterKeys(String expression, List<String> before) {
    String[] parts = expression.split("[\\s()]+", -1);
    String last = parts.length == 0 ? "" : parts[parts.length - 1];
    String head = expression.substring(0, expression.length() - last.length());
    List<String> keys = new ArrayList<>();
    OmeletRegistry reg = registry(before);
    if (reg == null) return keys;
    try {
      List<String> ids = experimentIds(reg, valueAfter(before, "--experiment"));
      for (String c : reg.searchRunsAsDataFrame(SearchRunsRequest.in(ids)).columns()) {
        if ((c.startsWith("metrics.") || c.startsWith("params.") || c.startsWith("tags.")) && c.startsWith(last)) {
          keys.add(head + c);
        }
      }
      for (String attr : List.of("attributes.status", "attributes.run_name", "attributes.start_time")) {
        if (attr.startsWith(last)) keys.add(head + attr);
      }
    } catch (RuntimeException e) {
      // no registry yet, or an unknown experiment: nothing to offer
    }
    return keys;
  }

  private List<String> tables() {
    SparkSession spark = runningSession.get();
    List<String> out = new ArrayList<>();
    if (spark == null) return out;
    try {
      for (Table t : spark.catalog().listTables().collectAsList()) out.add(t.name());
    } catch (RuntimeException e) {
      // the catalog is not reachable: no table names
    }
    return out;
  }

  private List<String> columns(String table) {
    SparkSession spark = runningSession.get();
    if (spark == null || table == null) return List.of();
    try {
      return List.of(spark.table(table).columns());
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private List<String> experiments(List<String> before) {
    OmeletRegistry reg = registry(before);
    if (reg == null) return List.of();
    try {
      return reg.listExperiments().stream().map(Experiment::name).toList();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /** {@code name}, {@code name@alias} for every alias. */
  private List<String> models(List<String> before) {
    OmeletRegistry reg = registry(before);
    if (reg == null) return List.of();
    Set<String> out = new LinkedHashSet<>();
    try {
      for (RegisteredModel m : reg.listRegisteredModels()) {
        for (Map.Entry<String, Integer> a : m.aliases().entrySet()) out.add(m.name() + "@" + a.getKey());
        out.add(m.name());
      }
    } catch (RuntimeException e) {
      // no registry yet
    }
    return new ArrayList<>(out);
  }

  private static List<String> experimentIds(OmeletRegistry reg, String experiment) {
    if (experiment != null) return List.of(reg.getExperimentByName(experiment).experimentId());
    return reg.listExperiments().stream().map(Experiment::experimentId).toList();
  }

  private OmeletRegistry registry(List<String> before) {
    SparkSession spark = runningSession.get();
    if (spark == null) return null;
    String root = valueAfter(before, "--registry");
    if (root == null) root = defaultRegistryRoot;
    if (root == null) root = spark.conf().get("spark.omelet.registry.root", "omelet-registry");
    boolean uri = CommandContext.isUri(root);
    String path = CommandContext.resolve(workDir, root);
    // completion must not create a registry where there is none
    if (!uri && !java.nio.file.Files.isDirectory(Path.of(path))) return null;
    try {
      return OmeletRegistry.open(spark, path);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String valueAfter(List<String> words, String option) {
    for (int i = 0; i < words.size(); i++) {
      if (words.get(i).equals(option) && i + 1 < words.size()) return words.get(i + 1);
      if (words.get(i).startsWith(option + "=")) return words.get(i).substring(option.length() + 1);
    }
    return null;
  }

  private static List<InterpreterCompletion> prefixed(String prefix, List<String> values, String meta) {
    List<InterpreterCompletion> out = new ArrayList<>();
    for (String v : values) out.add(new InterpreterCompletion(prefix + v, prefix + v, meta));
    return out;
  }
}
