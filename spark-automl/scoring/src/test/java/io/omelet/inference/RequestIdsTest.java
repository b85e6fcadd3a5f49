package io.omelet.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The request id: the client's X-Request-Id when it is a usable key, refused with the reason otherwise, else a new one. */
class RequestIdsTest {

  @Test
  void aMissingHeaderGetsANewIdOf32HexDigits() {
    String a = RequestIds.fromHeader(null);
    String b = RequestIds.fromHeader(null);
    assertTrue(a.matches("[0-9a-f]{32}"), a);
    assertTrue(b.matches("[0-9a-f]{32}"), b);
    assertNotEquals(a, b);
  }

  @Test
  void aClientsIdIsKeptAsSentUpTo128Characters() {
    assertEquals("order-42/retry 1", RequestIds.fromHeader("order-42/retry 1"));
    String longest = "x".repeat(RequestIds.MAX_LENGTH);
    assertEquals(longest, RequestIds.fromHeader(longest));
  }

  @Test
  void anIdOver128CharactersIsRefusedWithItsLength() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RequestIds.fromHeader("x".repeat(129)));
    assertTrue(e.getMessage().contains("129 characters") && e.getMessage().contains("limit is 128"), e.getMessage());
  }

  @Test
  void controlCharactersAreRefusedWithTheirPosition() {
    IllegalArgumentException newline = assertThrows(IllegalArgumentException.class,
        () -> RequestIds.fromHeader("abc\r\nSet-Cookie: x"));
    assertTrue(newline.getMessage().contains("control character (U+000D) at position 3"), newline.getMessage());
    IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> RequestIds.fromHeader("a\u0000"));
    assertTrue(nul.getMessage().contains("U+0000"), nul.getMessage());
  }

  @Test
  void anEmptyIdIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RequestIds.fromHeader("  "));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }
}
