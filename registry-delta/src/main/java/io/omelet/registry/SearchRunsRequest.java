package io.omelet.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A run search: which experiments, a filter in MLflow's syntax (plus OR, NOT and parentheses),
 * sort keys, a page size and the token of the page to read. Built fluently:
 * {@code SearchRunsRequest.in(expId).filter("metrics.auc > 0.9").orderBy("metrics.auc DESC").maxResults(100)}.
 */
public final class SearchRunsRequest {
  /** MLflow's default and largest page sizes. */
  public static final int DEFAULT_MAX_RESULTS = 1000;
  public static final int MAX_MAX_RESULTS = 50_000;

  private final List<String> experimentIds;
  private String filter = "";
  private final List<String> orderBy = new ArrayList<>();
  private int maxResults = DEFAULT_MAX_RESULTS;
  private String pageToken;
  private ViewType viewType = ViewType.ACTIVE_ONLY;

  private SearchRunsRequest(List<String> experimentIds) {
    this.experimentIds = List.copyOf(experimentIds);
  }

  /** A search over these experiments; none means every experiment. */
  public static SearchRunsRequest in(String... experimentIds) {
    return new SearchRunsRequest(Arrays.asList(experimentIds));
  }

  public static SearchRunsRequest in(List<String> experimentIds) {
    return new SearchRunsRequest(experimentIds);
  }

  public SearchRunsRequest filter(String filter) {
    this.filter = filter == null ? "" : filter;
    return this;
  }

  /** Sort keys such as "metrics.auc DESC" or "attributes.start_time"; earlier keys sort first. */
  public SearchRunsRequest orderBy(String... keys) {
    orderBy.addAll(Arrays.asList(keys));
    return this;
  }

  public SearchRunsRequest maxResults(int maxResults) {
    if (maxResults < 1 || maxResults > MAX_MAX_RESULTS) {
      throw new RegistryException("maxResults must be between 1 and " + MAX_MAX_RESULTS + ", got " + maxResults);
    }
    this.maxResults = maxResults;
    return this;
  }

  /** The nextPageToken of the previous page; null for the first page. */
  public SearchRunsRequest pageToken(String pageToken) {
    this.pageToken = pageToken;
    return this;
  }

  public SearchRunsRequest viewType(ViewType viewType) {
    this.viewType = viewType;
    return this;
  }

  public List<String> experimentIds() {
    return experimentIds;
  }

  public String filter() {
    return filter;
  }

  public List<String> orderBy() {
    return List.copyOf(orderBy);
  }

  public int maxResults() {
    return maxResults;
  }

  public String pageToken() {
    return pageToken;
  }

  public ViewType viewType() {
    return viewType;
  }

  /** Identifies the query (not the page), so a token is only accepted by the search that made it. */
  String queryKey() {
    return experimentIds + "|" + filter + "|" + orderBy + "|" + viewType;
  }
}
