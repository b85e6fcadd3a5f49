package io.omelet.registry;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import io.omelet.registry.search.Field;
import io.omelet.registry.search.Filter;
import io.omelet.registry.search.FilterCompiler;
import io.omelet.registry.search.FilterParser;
import io.omelet.registry.search.OrderBy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Search over the {@link RunIndex}: the compiled predicate, the sort and the page, in one Spark
 * job whose rows are the page's runs, whole.
 */
final class RunSearch {
  private final RunIndex index;
  /** Runs whose heartbeat is older than the timeout, asked at each search (time moves on without a write). */
  private final Supplier<Set<String>> stale;

  RunSearch(RunIndex index, Supplier<Set<String>> stale) {
    this.index = index;
    this.stale = stale;
  }

  /** A search compiled against the tables: the filtered, widened runs frame and its sort. */
  record Plan(Dataset<Row> frame, List<Column> sort) {}

  /** A plan over a lazy frame that outlives this call (its snapshot is never freed under it). */
  Plan plan(SearchRunsRequest request) {
    Filter filter = FilterParser.parse(request.filter());
    List<OrderBy> order = FilterParser.parseOrderBy(request.orderBy());
    return plan(request, filter, order, index.escape());
  }

  private Plan plan(SearchRunsRequest request, Filter filter, List<OrderBy> order, Dataset<Row> runs) {
    Set<String> dead = stale.get();
    if (!dead.isEmpty()) {
      // A RUNNING run whose process stopped beating reads as STALE, so a status filter stays truthful.
      runs = runs.withColumn("status", when(col("status").equalTo(RunStatus.RUNNING.name())
          .and(col("run_id").isin(dead.toArray())), lit(RunStatus.STALE.name())).otherwise(col("status")));
    }
    if (!request.experimentIds().isEmpty()) {
      runs = runs.where(col("experiment_id").isin(request.experimentIds().toArray()));
    }
    runs = switch (request.viewType()) {
      case ACTIVE_ONLY -> runs.where(col("lifecycle_stage").equalTo("active"));
      case DELETED_ONLY -> runs.where(col("lifecycle_stage").equalTo("deleted"));
      case ALL -> runs;
    };

    FilterCompiler.Resolver resolver = new FilterCompiler.Resolver() {
      @Override
      public Column column(Field field) {
        return RunSearch.column(field);
      }

      @Override
      public Column anyInput(Function<Function<String, Column>, Column> predicate) {
        return functions.exists(col("inputs"), input -> predicate.apply(input::getField));
      }
    };
    Dataset<Row> frame = runs.where(FilterCompiler.compile(filter, resolver));

    List<Column> sort = new ArrayList<>();
    for (OrderBy o : order) sort.add(FilterCompiler.sortColumn(column(o.field()), o.ascending()));
    // MLflow's default order, and a unique tie-breaker so pages never overlap.
    sort.add(col("start_time").desc());
    sort.add(col("run_id").asc());
    return new Plan(frame, sort);
  }

  /** A field's column in the index. */
  static Column column(Field field) {
    return switch (field.entity()) {
      case METRIC -> {
        Column v = col("metrics").getItem(field.key()).getField("value");
        // NaN would sort above every number and pass every '>': treat it as missing.
        yield when(isnan(v), lit(null)).otherwise(v);
      }
      case PARAM -> col("params").getItem(field.key());
      case TAG -> col("tags").getItem(field.key());
      case ATTRIBUTE -> col(field.key());
      case DATASET -> throw new IllegalArgumentException("dataset fields are matched per input");
    };
  }

  RunPage search(SearchRunsRequest request) {
    int offset = decodeToken(request);
    // Parsed before the index is touched: a bad filter costs no job.
    Filter filter = FilterParser.parse(request.filter());
    List<OrderBy> order = FilterParser.parseOrderBy(request.orderBy());
    int max = request.maxResults();
    List<Row> rows;
    try (RunIndex.Lease lease = index.lease()) {
      Plan plan = plan(request, filter, order, lease.frame());
      rows = plan.frame().orderBy(plan.sort().toArray(new Column[0])).limit(offset + max + 1).collectAsList();
    }
    List<Row> page = rows.size() > offset ? rows.subList(offset, Math.min(rows.size(), offset + max)) : List.of();
    List<Run> runs = new ArrayList<>(page.size());
    for (Row r : page) runs.add(RunIndex.toRun(r));
    String next = rows.size() > offset + max ? encodeToken(request, offset + max) : null;
    return new RunPage(runs, next);
  }

  /** Every run matching, following page tokens (at most {@code limit} runs). */
  List<Run> searchAll(SearchRunsRequest request, int limit) {
    List<Run> out = new ArrayList<>();
    String token = null;
    do {
      RunPage page = search(request.pageToken(token));
      out.addAll(page.runs());
      token = page.nextPageToken();
    } while (token != null && out.size() < limit);
    return out.size() > limit ? out.subList(0, limit) : out;
  }

  /** How many runs each experiment holds and when one last started or ended, in one job over the index. */
  Map<String, OmeletRegistry.ExperimentActivity> activity(List<String> experimentIds) {
    Map<String, OmeletRegistry.ExperimentActivity> out = new HashMap<>();
    if (experimentIds.isEmpty()) return out;
    Dataset<Row> runs = plan(SearchRunsRequest.in(experimentIds).viewType(ViewType.ALL)).frame();
    for (Row r : runs.groupBy(col("experiment_id"))
        .agg(count("*"), max(greatest(col("start_time"), coalesce(col("end_time"), lit(0L)))))
        .collectAsList()) {
      out.put(r.getString(0), new OmeletRegistry.ExperimentActivity(r.getLong(1), r.isNullAt(2) ? 0 : r.getLong(2)));
    }
    return out;
  }

  private static String encodeToken(SearchRunsRequest request, int offset) {
    String raw = "v1:" + offset + ":" + Integer.toHexString(request.queryKey().hashCode());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  private static int decodeToken(SearchRunsRequest request) {
    String token = request.pageToken();
    if (token == null || token.isEmpty()) return 0;
    String[] parts;
    try {
      parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
    } catch (IllegalArgumentException e) {
      throw new RegistryException("invalid page token '" + token + "': not a token this registry issued");
    }
    if (parts.length != 3 || !parts[0].equals("v1")) {
      throw new RegistryException("invalid page token '" + token + "': not a token this registry issued");
    }
    if (!parts[2].equals(Integer.toHexString(request.queryKey().hashCode()))) {
      throw new RegistryException("page token '" + token
          + "' belongs to a different search (filter, order, experiments or view type changed)");
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new RegistryException("invalid page token '" + token + "'");
    }
  }
}
