package io.omelet.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.common.FeatureCodec;
import io.omelet.inference.InferenceLogConfig;
import io.omelet.inference.InferenceLogWriter;
import io.omelet.inference.InferenceRecord;
import io.omelet.inference.InferenceTable;
import io.omelet.testing.SharedSpark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code omelet monitor labels} in-process on a real local session: a labels CSV merged into an
 * inference table the log writer filled, a re-run that changes nothing, and a bad labels file
 * refused in one line with the table left as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitorCommandTest {
  SparkSession spark;
  Path dir;
  String registry;
  String table;

  @BeforeAll
  void setUp() throws Exception {
    spark = SharedSpark.session();
    dir = Files.createTempDirectory("omelet-monitor");
    registry = dir.resolve("registry").toString();
    FeatureCodec codec = FeatureCodec.of(new String[] {"age", "plan"}, new String[][] {null, {"basic", "pro"}});
    InferenceTable t = InferenceTable.open(spark, registry, "churn", codec, true);
    table = t.path();
    ObjectMapper json = new ObjectMapper();
    try (InferenceLogWriter w = InferenceLogWriter.start(t, InferenceLogConfig.defaults())) {
      for (String id : new String[] {"r1", "r2", "r3"}) {
        w.offer(InferenceRecord.scored(id, 0, Instant.now(), "churn", 1, "champion",
            json.createObjectNode().put("age", 40).put("plan", "pro"), "no", Map.of("no", 0.7, "yes", 0.3), 500));
      }
    }
    Files.writeString(dir.resolve("labels.csv"), "request_id,label\nr1,yes\nr2,no\nx9,yes\n");
    Files.writeString(dir.resolve("outcomes.csv"), "ticket,churned\nr1,yes\n");
  }

  CommandsTest.Result exec(String... args) {
    CommandSink.Collecting sink = CommandSink.collecting();
    return new CommandsTest.Result(OmeletCommands.execute(CommandContext.of(spark, sink, dir), args), sink);
  }

  @Test
  void labelsFromAFileAreMergedAndARerunChangesNothing() {
    CommandsTest.Result r = exec("monitor", "labels", "--model", "churn", "-f", "labels.csv", "--registry", registry);
    assertEquals(0, r.outcome().exitCode(), r.outcome().error());
    Map<String, Object> v = r.first(CommandResult.Values.class).values();
    assertEquals(table, v.get("table"));
    assertEquals(3L, v.get("labels_read"));
    assertEquals(2L, v.get("labels_matched"));
    assertEquals(1L, v.get("unknown_ids"));
    assertEquals("x9", v.get("unknown_id_examples"));
    assertEquals(2L, v.get("rows_updated"));
    assertTrue(r.text().startsWith("2 of 3 labels matched 2 rows: 2 new"), r.text());
    assertEquals(1L, spark.sql("SELECT count(*) FROM delta.`" + table + "` WHERE label = 'yes'").first().getLong(0));

    CommandsTest.Result again = exec("monitor", "labels", "--model", "churn", "-f", "labels.csv", "--registry", registry);
    Map<String, Object> same = again.first(CommandResult.Values.class).values();
    assertEquals(0L, same.get("rows_updated"));
    assertEquals(0L, same.get("labels_replaced"));
    assertEquals(2L, same.get("labels_unchanged"));
    assertEquals(v.get("table_version"), same.get("table_version"), "a re-run commits nothing");

    // the columns named as the file names them
    CommandsTest.Result renamed = exec("monitor", "labels", "--model", "churn", "-f", "outcomes.csv", "--id-col", "ticket",
        "--label-col", "churned", "--registry", registry);
    assertEquals(0, renamed.outcome().exitCode(), renamed.outcome().error());
    assertEquals(1L, renamed.first(CommandResult.Values.class).values().get("labels_unchanged"));
  }

  @Test
  void aBadLabelsFileIsOneLineAndNothingIsMerged() {
    long before = version();
    OmeletCommands.Outcome missing = exec("monitor", "labels", "--model", "churn", "-f", "outcomes.csv",
        "--registry", registry).outcome();
    assertEquals(OmeletCommands.FAILED, missing.exitCode());
    assertEquals("outcomes.csv: the labels have no id column 'request_id'; their columns: ticket, churned", missing.error());
    assertFalse(missing.unexpected());

    OmeletCommands.Outcome noTable = exec("monitor", "labels", "--model", "fraud", "-f", "labels.csv",
        "--registry", registry).outcome();
    assertEquals(OmeletCommands.FAILED, noTable.exitCode());
    assertTrue(noTable.error().startsWith("no inference table for model 'fraud' at "), noTable.error());

    OmeletCommands.Outcome alias = exec("monitor", "labels", "--model", "churn@champion", "-f", "labels.csv").outcome();
    assertEquals(OmeletCommands.USAGE, alias.exitCode());
    assertTrue(alias.error().contains("--model takes a registered model's name, not 'churn@champion'"), alias.error());
    assertEquals(before, version());
  }

  @Test
  void helpHasExamplesAndAGroupWithoutASubcommandIsAUsageError() {
    CommandsTest.Result help = exec("monitor", "labels", "--help");
    assertEquals(0, help.outcome().exitCode());
    assertTrue(help.text().contains("Usage: omelet monitor labels") && help.text().contains("Example"), help.text());
    assertEquals(OmeletCommands.USAGE, exec("monitor").outcome().exitCode());
  }

  private long version() {
    return spark.sql("DESCRIBE HISTORY delta.`" + table + "`").first().getLong(0);
  }
}
