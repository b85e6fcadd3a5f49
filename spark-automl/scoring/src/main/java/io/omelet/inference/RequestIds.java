package io.omelet.inference;

import java.util.UUID;

/**
 * The id that ties a served request to its rows in the inference table: the client's
 * {@code X-Request-Id} when it sent one (so it can find its own requests), else a new one. The
 * server returns it in the response's {@code X-Request-Id} header either way.
 */
public final class RequestIds {
  /** The header clients send and the server answers with. */
  public static final String HEADER = "X-Request-Id";
  /** Longer ids are refused: an id is a key, not a payload, and it lands in every row of the request. */
  public static final int MAX_LENGTH = 128;

  private RequestIds() {}

  /**
   * The request's id: {@code header} when given (validated), else a new one.
   *
   * @throws IllegalArgumentException with the reason when the header is empty, longer than
   *     {@link #MAX_LENGTH} characters or holds a control character (the server answers 400)
   */
  public static String fromHeader(String header) {
    if (header == null) return generate();
    if (header.isBlank()) throw new IllegalArgumentException(HEADER + " is empty");
    if (header.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(HEADER + " is " + header.length() + " characters long; the limit is " + MAX_LENGTH);
    }
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      // control characters would break log lines and the header echoed back (response splitting)
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        throw new IllegalArgumentException(HEADER + " holds a control character (U+"
            + String.format("%04X", (int) c) + ") at position " + i);
      }
    }
    return header;
  }

  /** A new id: a random UUID's 32 hex digits, without dashes. */
  public static String generate() {
    UUID u = UUID.randomUUID();
    return hex16(u.getMostSignificantBits()) + hex16(u.getLeastSignificantBits());
  }

  private static String hex16(long bits) {
    String h = Long.toHexString(bits);
    return "0".repeat(16 - h.length()) + h;
  }
}
