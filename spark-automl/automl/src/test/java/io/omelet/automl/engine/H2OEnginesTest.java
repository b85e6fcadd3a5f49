package io.omelet.automl.engine;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.automl.TestSupport;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Choosing the backend with spark.omelet.h2o.backend in local mode (the cluster tests cover internal on executors). */
class H2OEnginesTest {
  private static final String KEY = "spark.omelet.h2o.backend";

  @AfterEach
  void reset() {
    TestSupport.spark().conf().unset(KEY);
  }

  @Test
  void embeddedIsTheDefaultAndInternalFallsBackToItInLocalMode() {
    SparkSession spark = TestSupport.spark();
    assertSame(EmbeddedH2OEngine.get(), H2OEngines.active());
    spark.conf().set(KEY, "Internal");
    assertSame(EmbeddedH2OEngine.get(), H2OEngines.active(), "no executors in local mode: H2O stays in the driver");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InternalH2OEngine.get(spark));
    assertTrue(e.getMessage().contains("has none"), e.getMessage());
  }

  @Test
  void anUnknownBackendIsRefusedByName() {
    TestSupport.spark().conf().set(KEY, "sparkling");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, H2OEngines::active);
    assertTrue(e.getMessage().contains("embedded, external or internal, got 'sparkling'"), e.getMessage());
  }
}
