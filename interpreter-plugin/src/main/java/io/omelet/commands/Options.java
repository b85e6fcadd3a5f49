package io.omelet.commands;

import picocli.CommandLine.Option;

/** Option groups shared by several commands (picocli mixins). */
public final class Options {
  private Options() {}

  /** Where the registry is, and which Spark master to start when the front end makes the session. */
  public static final class Registry {
    @Option(names = "--registry", paramLabel = "ROOT",
        description = "registry root: a local folder or any Hadoop path (default: spark.omelet.registry.root, else ./omelet-registry)")
    public String root;

    @Option(names = "--master", paramLabel = "URL",
        description = "Spark master when the command starts Spark (default local[*]; ignored in a notebook, which has its session)")
    public String master;
  }

  /** Output format of a listing command. */
  public static final class Format {
    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
        description = "table (aligned, the default), csv or json: ${COMPLETION-CANDIDATES}")
    public CommandContext.Format format = CommandContext.Format.TABLE;
  }
}
