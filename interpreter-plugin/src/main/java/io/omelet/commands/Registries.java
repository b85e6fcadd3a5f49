package io.omelet.commands;

import io.omelet.registry.Experiment;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Registry lookups with the error messages a command line wants. */
final class Registries {
  private Registries() {}

  /** An experiment by name, or by id when no name matches. */
  static Experiment experiment(OmeletRegistry registry, String nameOrId) {
    Experiment e = registry.findExperimentByName(nameOrId);
    if (e != null) return e;
    if (nameOrId.matches("\\d+")) {
      try {
        return registry.getExperiment(nameOrId);
      } catch (RegistryException ignored) {
        // fall through to the message listing what exists
      }
    }
    List<String> names = new ArrayList<>();
    for (Experiment x : registry.listExperiments()) names.add(x.name());
    throw new CommandException("no experiment named '" + nameOrId + "'; the registry at " + registry.root()
        + " has " + (names.isEmpty() ? "none" : String.join(", ", names.subList(0, Math.min(20, names.size())))));
  }

  /** Runs a registry call, turning its errors (unknown run, model, alias, bad filter) into one-line ones. */
  static <T> T call(Supplier<T> body) {
    try {
      return body.get();
    } catch (RegistryException e) {
      throw new CommandException(e.getMessage(), e);
    }
  }

  static void run(Runnable body) {
    call(() -> {
      body.run();
      return null;
    });
  }
}
