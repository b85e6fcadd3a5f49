package io.omelet.commands;

import picocli.CommandLine.Command;

/**
 * {@code omelet monitor}: what happens to a model once it serves, from its inference table
 * ({@code <registry root>/inference/<model>}). Each subcommand is a class of its own, listed here.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
    description = "A served model's inference table: merge late ground-truth labels into it.",
    subcommands = {MonitorLabelsCommand.class})
public final class MonitorCommand extends OmeletCommands.Group {
}
