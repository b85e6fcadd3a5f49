package io.omelet.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hex.genmodel.GenModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** The JVM-wide model cache stays within its byte bound and loads each key once. */
class ModelCacheTest {

  @Test
  void dropsLeastRecentlyUsedBeyondTheBound() {
    ModelCache c = new ModelCache(350);
    for (int i = 0; i < 3; i++) c.get("k" + i, () -> new byte[100], b -> b.length);
    c.get("k0", () -> new byte[100], b -> b.length); // k0 is now the most recently used
    c.get("k3", () -> new byte[100], b -> b.length);
    assertEquals(3, c.size());
    assertEquals(300, c.bytes());
    assertEquals(1, c.evictions());
    AtomicInteger loads = new AtomicInteger();
    c.get("k0", () -> { loads.incrementAndGet(); return new byte[100]; }, b -> b.length);
    assertEquals(0, loads.get(), "k0 was used recently and kept");
    c.get("k1", () -> { loads.incrementAndGet(); return new byte[100]; }, b -> b.length);
    assertEquals(1, loads.get(), "k1 was the least recently used and dropped");
    assertTrue(c.bytes() <= c.maxBytes());

    c.setMaxBytes(150);
    assertEquals(1, c.size(), "a smaller bound evicts at once");
    byte[] big = c.get("big", () -> new byte[1000], b -> b.length);
    assertEquals(1000, big.length);
    assertEquals(1, c.size(), "the entry added last stays even when it alone exceeds the bound");
  }

  @Test
  void loadsEachKeyOnceUnderConcurrencyAndDoesNotCacheFailures() throws Exception {
    ModelCache c = new ModelCache(1 << 20);
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Object>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return c.get("m", () -> {
            loads.incrementAndGet();
            sleep(100);
            return new Object();
          }, o -> 10);
        }));
      }
      start.countDown();
      Object first = results.get(0).get();
      for (Future<Object> f : results) assertSame(first, f.get());
      assertEquals(1, loads.get());
    } finally {
      pool.shutdownNow();
    }
    assertThrows(IllegalStateException.class, () -> c.get("bad", () -> {
      throw new IllegalStateException("corrupt");
    }, o -> 1));
    Object later = c.get("bad", Object::new, o -> 1);
    assertNotSame(null, later);
    assertEquals(2, c.size());
  }

  /**
   * Many distinct real MOJOs (one H2O GLM, each copy given an extra zip entry so its content hash
   * differs) loaded with a bound of three: the cache stays within the bound and the models it
   * dropped are garbage: nothing else in scoring holds them.
   */
  @Test
  void manyRealModelsStayWithinTheBound() throws Exception {
    byte[] mojo = fixtureMojo();
    MojoModel probe = MojoModel.of(withMarker(mojo, -1));
    long perModel = probe.unzippedBytes();
    ModelCache shared = ModelCache.shared();
    long before = shared.maxBytes();
    shared.clear();
    shared.setMaxBytes(3 * perModel + perModel / 2);
    try {
      List<WeakReference<GenModel>> loaded = new ArrayList<>();
      int models = 40;
      for (int i = 0; i < models; i++) {
        MojoModel m = MojoModel.of(withMarker(mojo, i));
        GenModel g = m.genModel();
        assertEquals(3, g.getNumResponseClasses());
        loaded.add(new WeakReference<>(g));
        assertTrue(shared.bytes() <= shared.maxBytes(), "after model " + i + ": " + shared.bytes() + " bytes");
      }
      assertTrue(shared.size() <= 3, shared.size() + " entries");
      assertTrue(shared.evictions() >= models - 3);
      int cleared = 0;
      for (int attempt = 0; attempt < 20 && cleared < models - 3; attempt++) {
        System.gc();
        sleep(50);
        cleared = 0;
        for (int i = 0; i < models - 3; i++) if (loaded.get(i).get() == null) cleared++;
      }
      assertEquals(models - 3, cleared, "the evicted models are not held anywhere else");
      // the last ones are still cached: asking again gives the same loaded model
      MojoModel last = MojoModel.of(withMarker(mojo, models - 1));
      assertSame(loaded.get(models - 1).get(), last.genModel());
    } finally {
      shared.clear();
      shared.setMaxBytes(before);
    }
  }

  private static byte[] fixtureMojo() throws IOException {
    try (InputStream in = ModelCacheTest.class.getResourceAsStream("/fixtures/automl-model-v1/data/leader_mojo.zip")) {
      return in.readAllBytes();
    }
  }

  /** The MOJO with one more entry that h2o-genmodel ignores: the same model under another hash. */
  private static byte[] withMarker(byte[] mojo, int marker) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(mojo));
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        zip.putNextEntry(fixedTime(new ZipEntry(e.getName())));
        in.transferTo(zip);
        zip.closeEntry();
      }
      zip.putNextEntry(fixedTime(new ZipEntry("omelet-test-copy.txt")));
      zip.write(Integer.toString(marker).getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  /** Same entries, same bytes: a copy made twice has one content hash. */
  private static ZipEntry fixedTime(ZipEntry e) {
    e.setTime(0L);
    return e;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
