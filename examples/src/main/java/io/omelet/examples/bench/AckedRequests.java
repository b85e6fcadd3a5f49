package io.omelet.examples.bench;

import io.omelet.inference.RequestIds;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A {@link RestLoad} whose request of slot i carries {@code X-Request-Id: <prefix><i>}, keeping
 * the ids the server acknowledged: answered 200 with the same id in the response's header. What
 * an inference table must hold is then known exactly (bin/bench inference).
 */
final class AckedRequests implements RestLoad.Exchange {
  private final URI endpoint;
  private final List<String> bodies;
  private final String prefix;
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  AckedRequests(URI endpoint, List<String> bodies, String prefix) {
    if (bodies.isEmpty()) throw new IllegalArgumentException("no request bodies");
    this.endpoint = endpoint;
    this.bodies = bodies;
    this.prefix = prefix;
  }

  @Override
  public HttpRequest request(long slot) {
    if (stopped) return null;
    return RestLoad.post(endpoint, bodies.get((int) (slot % bodies.size())), prefix + slot);
  }

  @Override
  public void answered(long slot, HttpResponse<Void> response) {
    String id = prefix + slot;
    if (response.statusCode() == 200 && id.equals(response.headers().firstValue(RequestIds.HEADER).orElse(null))) {
      acked.add(id);
    }
  }

  /** Ends the load: no request is sent after this (those in flight are still answered). */
  void stop() {
    stopped = true;
  }

  /** The ids answered 200 so far. */
  Set<String> acked() {
    return acked;
  }

  /** The rows of each request id starting with {@code prefix} in the inference table at {@code table}. */
  static Map<String, Long> rowsPerId(SparkSession spark, String table, String prefix) {
    Map<String, Long> out = new HashMap<>();
    for (Row r : spark.read().format("delta").load(table).where(org.apache.spark.sql.functions.col("request_id")
        .startsWith(prefix)).groupBy("request_id").count().collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  /** How a table's rows compare with the acknowledged ids, for single-row requests (one row each). */
  record Check(long acked, long rows, long missing, long duplicated, long unacknowledged) {
    static Check of(Set<String> acked, Map<String, Long> rowsPerId) {
      long rows = 0;
      long duplicated = 0;
      long unacknowledged = 0;
      for (Map.Entry<String, Long> e : rowsPerId.entrySet()) {
        rows += e.getValue();
        duplicated += e.getValue() - 1;
        if (!acked.contains(e.getKey())) unacknowledged++;
      }
      long missing = acked.stream().filter(id -> !rowsPerId.containsKey(id)).count();
      return new Check(acked.size(), rows, missing, duplicated, unacknowledged);
    }
  }
}
