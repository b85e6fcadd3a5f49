package io.omelet.http;

import java.util.concurrent.Semaphore;

/**
 * A bound on requests in progress on the routes that take admission: past it a request gets 503
 * with {@code Retry-After} at once, never a place in a queue that grows for as long as the
 * overload lasts. A request holds its place from routing to the end of its response, reading its
 * body included.
 */
public final class Admission {
  /** Places per worker thread: one working, the rest reading their body or waiting for a CPU. */
  public static final int PER_WORKER = 16;

  private final int limit;
  private final Semaphore places;

  Admission(int limit) {
    if (limit < 1) throw new IllegalArgumentException("admission limit must be >= 1, got " + limit);
    this.limit = limit;
    this.places = new Semaphore(limit);
  }

  /** Takes a place, or throws the 503 that says the server is busy. */
  void enter() {
    if (!places.tryAcquire()) {
      throw new HttpError(503, "TEMPORARILY_UNAVAILABLE",
          "the server is busy (" + limit + " requests in progress); retry after a second")
          .withHeader("Retry-After", "1");
    }
  }

  void leave() {
    places.release();
  }

  public int limit() {
    return limit;
  }

  /** Places free now. */
  public int free() {
    return places.availablePermits();
  }
}
