package io.omelet.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The command line of omelet serve: defaults, every option, and clear refusals. */
class ServeMainArgsTest {

  @Test
  void defaultsAreLoopbackPort8080TenSecondReloadAndOneMiB() {
    ServeMain.Args a = ServeMain.parse(new String[] {"--model", "churn@champion"});
    ServerConfig c = a.config();
    assertEquals("churn@champion", c.modelUri());
    assertEquals("127.0.0.1", c.host());
    assertEquals(8080, c.port());
    assertEquals(Duration.ofSeconds(10), c.reloadInterval());
    assertEquals(1L << 20, c.maxBodyBytes());
    assertNull(a.registryRoot());
  }

  @Test
  void everyOptionInBothForms() {
    ServeMain.Args a = ServeMain.parse(new String[] {"--model=churn/3", "--port", "0", "--host", "0.0.0.0",
        "--registry", "/tmp/reg", "--reload-interval=0", "--max-body-bytes", "2048", "--threads", "2"});
    ServerConfig c = a.config();
    assertEquals("churn/3", c.modelUri());
    assertEquals(0, c.port());
    assertEquals("0.0.0.0", c.host());
    assertEquals("/tmp/reg", a.registryRoot());
    assertEquals(Duration.ZERO, c.reloadInterval());
    assertEquals(2048, c.maxBodyBytes());
    assertEquals(2, c.threads());
  }

  @Test
  void badArgumentsSayWhatIsWrong() {
    assertTrue(refused().contains("--model is required"));
    assertTrue(refused("--model", "m@a", "--port", "http").contains("--port expects a whole number"));
    assertTrue(refused("--model", "m@a", "--port", "70000").contains("between 0 and 65535"));
    assertTrue(refused("--model", "m@a", "--reload-interval", "-1").contains("--reload-interval"));
    assertTrue(refused("--model", "m@a", "--colour", "red").contains("unknown option --colour"));
    assertTrue(refused("--model").contains("--model needs a value"));
    assertTrue(refused("serve", "--model", "m@a").contains("unexpected argument 'serve'"));
    // a body is held in memory while parsed: the limit itself has a bound (Long.MAX_VALUE overflowed the reader)
    String huge = refused("--model", "m@a", "--max-body-bytes", Long.toString(Long.MAX_VALUE));
    assertTrue(huge.contains("--max-body-bytes") && huge.contains(Long.toString(ServerConfig.MAX_BODY_BYTES_LIMIT)), huge);
    assertEquals(ServerConfig.MAX_BODY_BYTES_LIMIT, ServeMain.parse(new String[] {"--model", "m@a", "--max-body-bytes",
        Long.toString(ServerConfig.MAX_BODY_BYTES_LIMIT)}).config().maxBodyBytes());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.of("m@a").withMaxBodyBytes(ServerConfig.MAX_BODY_BYTES_LIMIT + 1));
    assertTrue(e.getMessage().contains("between 1 and"), e.getMessage());
  }

  private static String refused(String... argv) {
    return assertThrows(ServeMain.UsageException.class, () -> ServeMain.parse(argv)).getMessage();
  }
}
