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

  /** Where a command's rows come from: a file, a catalog table or view, or a Delta folder. */
  public static final class Input {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "a CSV (header row), Parquet, JSON-lines or ORC file or folder")
    public String file;

    @Option(names = "--table", paramLabel = "NAME", description = "a table or view of the session's catalog")
    public String table;

    @Option(names = "--delta", paramLabel = "PATH", description = "a Delta table's folder (its version is recorded)")
    public String delta;

    public DataInput input() {
      return DataInput.of(file, table, delta);
    }
  }

  /** Where a command's output rows go. */
  public static final class Output {
    @Option(names = {"-o", "--out"}, paramLabel = "PATH", description = "write the rows to this file or folder: .csv, .json, .parquet (default), or a Delta folder with --out-format delta")
    public String out;

    @Option(names = "--into", paramLabel = "TABLE", description = "save the rows as this catalog table (with --view: a temporary view of this session)")
    public String into;

    @Option(names = "--view", description = "with --into: a temporary view, kept in memory for this session (e.g. to query it from SQL in the next paragraph)")
    public boolean view;

    @Option(names = "--out-format", paramLabel = "FORMAT", description = "parquet, csv, json or delta (default: from --out's extension, else parquet)")
    public String outFormat;
  }
}
