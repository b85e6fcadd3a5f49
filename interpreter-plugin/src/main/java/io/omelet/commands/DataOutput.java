package io.omelet.commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a command's output rows: to a file (one file for a local path, as a command line user
 * expects; a folder of parts for HDFS or S3), to a Delta folder, or to a catalog table.
 */
public final class DataOutput {
  private DataOutput() {}

  /** What was written, for the command's summary. */
  public record Written(String location, String format, long rows) {}

  public static Written write(CommandContext ctx, Dataset<Row> rows, Options.Output opts, boolean overwrite) {
    if ((opts.out == null) == (opts.into == null)) {
      throw new CommandException("say where the rows go: give one of -o/--out PATH or --into TABLE");
    }
    if (opts.view && opts.into == null) throw new CommandException("--view needs --into NAME");
    rows = rows.cache();
    if (opts.view) {
      // the cached rows stay behind the view, so later queries do not score again
      long n = rows.count();
      if (!overwrite && ctx.spark().catalog().tableExists(opts.into)) {
        rows.unpersist();
        throw new CommandException("a table or view '" + opts.into + "' exists; --overwrite replaces it");
      }
      rows.createOrReplaceTempView(opts.into);
      return new Written("temporary view " + opts.into, "view", n);
    }
    try {
      long n = rows.count();
      if (opts.into != null) {
        rows.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).saveAsTable(opts.into);
        return new Written("table " + opts.into, "table", n);
      }
      String path = ctx.resolvePath(opts.out);
      String format = format(opts.outFormat, path);
      Dataset<Row> out = format.equals("csv") ? flatForCsv(rows) : format.equals("json") ? withoutVectors(rows) : rows;
      boolean local = !CommandContext.isUri(path) || path.startsWith("file:");
      if (local && !format.equals("delta")) {
        writeOneFile(out, Paths.get(path.replaceFirst("^file:", "")), format, overwrite);
      } else {
        out.write().format(format).mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
            .option("header", "true").save(path);
      }
      return new Written(path, format, n);
    } catch (CommandException e) {
      throw e;
    } catch (Exception e) {
      throw new CommandException("cannot write " + (opts.into != null ? "table " + opts.into : opts.out) + ": "
          + Errors.oneLine(e), e);
    } finally {
      rows.unpersist(false);
    }
  }

  static String format(String given, String path) {
    String f = given != null ? given.toLowerCase(Locale.ROOT) : null;
    if (f == null) {
      String p = path.toLowerCase(Locale.ROOT);
      f = p.endsWith(".csv") ? "csv" : p.endsWith(".json") || p.endsWith(".jsonl") ? "json" : "parquet";
    }
    if (!List.of("parquet", "csv", "json", "delta").contains(f)) {
      throw new CommandException("unknown output format '" + given + "'; use parquet, csv, json or delta");
    }
    return f;
  }

  /** One part file written next to the target, then moved onto it: no half-written file is left. */
  private static void writeOneFile(Dataset<Row> rows, Path target, String format, boolean overwrite) throws IOException {
    if (Files.exists(target) && !overwrite) {
      throw new CommandException(target + " exists; pass --overwrite to replace it");
    }
    Path parent = target.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new CommandException("cannot write " + target + ": cannot create " + parent + " (" + e + ")");
    }
    if (!Files.isWritable(parent)) throw new CommandException("cannot write " + target + ": " + parent + " is not writable");
    Path tmp = parent.resolve("." + target.getFileName() + ".omelet-tmp");
    deleteTree(tmp);
    try {
      rows.coalesce(1).write().format(format).option("header", "true").save(tmp.toString());
      Path part;
      try (Stream<Path> s = Files.list(tmp)) {
        part = s.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst()
            .orElseThrow(() -> new IOException("Spark wrote no part file in " + tmp));
      }
      if (Files.isDirectory(target)) deleteTree(target);
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      deleteTree(tmp);
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
    }
  }

  /** CSV holds no vectors, arrays or maps: a vector is dropped when per-class columns carry it, else JSON text. */
  static Dataset<Row> flatForCsv(Dataset<Row> rows) {
    List<Column> cols = new ArrayList<>();
    StructType schema = rows.schema();
    for (StructField f : schema.fields()) {
      Column c = rows.col("`" + f.name() + "`");
      if (f.dataType().equals(SQLDataTypes.VectorType())) {
        cols.add(org.apache.spark.sql.functions.to_json(functions.vector_to_array(c, "float64")).as(f.name()));
      } else if (f.dataType() instanceof ArrayType || f.dataType() instanceof MapType || f.dataType() instanceof StructType) {
        cols.add(org.apache.spark.sql.functions.to_json(c).as(f.name()));
      } else {
        cols.add(c);
      }
    }
    return rows.select(cols.toArray(new Column[0]));
  }

  /** JSON writes vectors as Spark's internal struct; arrays read better. */
  static Dataset<Row> withoutVectors(Dataset<Row> rows) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      Column c = rows.col("`" + f.name() + "`");
      cols.add(f.dataType().equals(SQLDataTypes.VectorType()) ? functions.vector_to_array(c, "float64").as(f.name()) : c);
    }
    return rows.select(cols.toArray(new Column[0]));
  }
}
