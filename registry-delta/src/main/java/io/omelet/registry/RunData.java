package io.omelet.registry;

import java.util.List;
import java.util.Map;

/** What a run logged: the latest value of each metric, its params and tags, and its inputs. */
public record RunData(
    Map<String, Metric> metrics,
    Map<String, String> params,
    Map<String, String> tags,
    List<DatasetRef> inputs) {

  /** The latest value of a metric, or NaN when the run never logged it. */
  public double metric(String key) {
    Metric m = metrics.get(key);
    return m == null ? Double.NaN : m.value();
  }
}
