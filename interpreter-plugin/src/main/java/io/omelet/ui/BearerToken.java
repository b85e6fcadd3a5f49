package io.omelet.ui;

import io.omelet.http.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The token a server was started with ({@code omelet ui --token-file}), as clients send it:
 * {@code Authorization: Bearer <token>} (MLflow's clients send MLFLOW_TRACKING_TOKEN so).
 */
public final class BearerToken {
  private final byte[] token;

  public BearerToken(String token) {
    this.token = Objects.requireNonNull(token, "token").getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code request} carries this token. */
  public boolean carriedBy(Request request) {
    String header = request.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
    // constant time: the comparison must not tell how much of a guess was right
    return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }
}
