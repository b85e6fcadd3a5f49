package io.omelet.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The scoring server's settings: safe defaults, and limits refused with what is wrong. */
class ServerConfigTest {

  @Test
  void defaultsAreLoopbackPort8080TenSecondReloadOneMiBAndFourThreads() {
    ServerConfig c = ServerConfig.of("churn@champion");
    assertEquals("churn@champion", c.modelUri());
    assertEquals("127.0.0.1", c.host());
    assertEquals(8080, c.port());
    assertEquals(Duration.ofSeconds(10), c.reloadInterval());
    assertEquals(1L << 20, c.maxBodyBytes());
    assertEquals(4, c.threads());
  }

  @Test
  void everySettingCanBeChanged() {
    ServerConfig c = ServerConfig.of("churn/3").withHost("0.0.0.0").withPort(0).withReloadInterval(Duration.ZERO)
        .withMaxBodyBytes(2048).withThreads(2);
    assertEquals("0.0.0.0", c.host());
    assertEquals(0, c.port());
    assertEquals(Duration.ZERO, c.reloadInterval());
    assertEquals(2048, c.maxBodyBytes());
    assertEquals(2, c.threads());
    assertEquals(ServerConfig.MAX_BODY_BYTES_LIMIT, c.withMaxBodyBytes(ServerConfig.MAX_BODY_BYTES_LIMIT).maxBodyBytes());
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    // a body is held in memory while parsed: the limit itself has a bound
    IllegalArgumentException body = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.of("m@a").withMaxBodyBytes(ServerConfig.MAX_BODY_BYTES_LIMIT + 1));
    assertTrue(body.getMessage().contains("between 1 and"), body.getMessage());
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> ServerConfig.of("m@a").withPort(70000));
    assertTrue(port.getMessage().contains("65535"), port.getMessage());
  }
}
