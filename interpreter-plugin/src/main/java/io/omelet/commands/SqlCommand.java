package io.omelet.commands;

import io.omelet.registry.OmeletRegistry;
import io.omelet.scoring.OmeletFunctions;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code omelet sql "SELECT omelet_predict('churn@champion', *) FROM customers"}: a SQL statement
 * on the session with Omelet's functions registered and resolved against the registry, so an
 * analyst scores from SQL without configuring a Spark interpreter.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = "Runs a SQL statement on the session, with omelet_predict and omelet_explain resolving model URIs (name@alias, name/version) in the registry, and shows the rows.",
    footer = {"", "Examples:",
        "  omelet sql \"SELECT churn, omelet_predict('mlc_churn@champion', *).prediction AS predicted FROM customers\"",
        "  omelet sql \"SELECT omelet_explain('mlc_churn/1', *) FROM customers LIMIT 10\" --format json"})
public final class SqlCommand extends RegistryQuery {
  @Parameters(paramLabel = "STATEMENT", arity = "1..*", description = "the statement (words are joined with spaces)")
  List<String> statement;

  @Override
  protected void run() {
    ctx().format(format.format);
    SparkSession spark = ctx().spark(registry.master);
    OmeletRegistry reg = ctx().registry(registry.root);
    // omelet_predict finds models through the session's registry setting: point it here
    spark.conf().set(OmeletRegistry.ROOT_CONF, reg.root());
    OmeletFunctions.register(spark);
    String sql = String.join(" ", statement).strip();
    if (sql.endsWith(";")) sql = sql.substring(0, sql.length() - 1);
    Dataset<Row> df;
    try {
      df = spark.sql(sql);
    } catch (Exception e) {
      // Spark's analysis and parse errors are the user's: one line, no trace
      if (e instanceof org.apache.spark.sql.catalyst.parser.ParseException) {
        throw new CommandException("SQL syntax: " + Errors.oneLine(e), e);
      }
      if (e instanceof org.apache.spark.sql.AnalysisException) throw new CommandException(Errors.oneLine(e), e);
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    Dataset<Row> result = df;
    CommandResult.Table t = SparkProgress.during(ctx(), "sql", () -> Tables.of("", result, ctx().maxRows()));
    out().result(t);
  }
}
