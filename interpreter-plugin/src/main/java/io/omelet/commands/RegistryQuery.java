package io.omelet.commands;

import io.omelet.registry.OmeletRegistry;
import picocli.CommandLine.Mixin;

/**
 * A command that reads the registry and answers with a listing: the {@code --registry},
 * {@code --master} and {@code --format} options every such command takes, and the registry opened
 * with the output format applied.
 */
public abstract class RegistryQuery extends OmeletSubcommand {
  @Mixin protected Options.Registry registry;
  @Mixin protected Options.Format format;

  /** The registry the options name, with results rendered in the chosen format. */
  protected OmeletRegistry openRegistry() {
    ctx().format(format.format);
    return ctx().registry(registry.root);
  }
}
