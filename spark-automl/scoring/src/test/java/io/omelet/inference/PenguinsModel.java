package io.omelet.inference;

import io.omelet.registry.OmeletRegistry;
import io.omelet.scoring.OmeletFunctions;
import io.omelet.testing.SharedSpark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A real registry in a temporary folder holding the penguins GLM MOJO of
 * {@code fixtures/penguins_glm_mojo.zip} as model {@code penguins}, versions 1 and 2 (the same
 * MOJO), {@code champion} on version 1; the session's SQL functions resolve in it.
 */
final class PenguinsModel implements AutoCloseable {
  static final String NAME = "penguins";
  static final String[] LABELS = {"Adelie", "Chinstrap", "Gentoo"};

  final SparkSession spark;
  final String root;
  final OmeletRegistry registry;
  final String runId;
  private final String previousRoot;

  PenguinsModel() {
    spark = SharedSpark.session();
    OmeletFunctions.register(spark);
    root = SharedSpark.tempDir("inference-registry").resolve("registry").toString();
    registry = OmeletRegistry.open(spark, root);
    runId = registry.createRun(registry.createExperiment("penguins-fixture"), "penguins GLM").runId();
    registry.logBytes(runId, mojoBytes(), "model/model.zip");
    registry.createModelVersion(NAME, runId, "model/model.zip", "fixture", Map.of());
    registry.createModelVersion(NAME, runId, "model/model.zip", "the same MOJO again", Map.of());
    registry.setRegisteredModelAlias(NAME, "champion", 1);
    previousRoot = spark.conf().getOption(OmeletRegistry.ROOT_CONF).getOrElse(() -> null);
    spark.conf().set(OmeletRegistry.ROOT_CONF, root);
  }

  /** Penguins rows with an {@code id} column (1, 2, ...): features, the species (not a feature) and the id. */
  Dataset<Row> rows(int n) {
    Dataset<Row> all = SharedSpark.csvNa("penguins.csv").limit(n);
    return all.withColumn("id", functions.row_number().over(
        org.apache.spark.sql.expressions.Window.orderBy(functions.monotonically_increasing_id())));
  }

  static byte[] mojoBytes() {
    try (InputStream in = PenguinsModel.class.getResourceAsStream("/fixtures/penguins_glm_mojo.zip")) {
      if (in == null) throw new IllegalStateException("fixtures/penguins_glm_mojo.zip is not on the test class path");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (previousRoot == null) spark.conf().unset(OmeletRegistry.ROOT_CONF);
    else spark.conf().set(OmeletRegistry.ROOT_CONF, previousRoot);
  }
}
