package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import io.omelet.registry.search.Field;
import io.omelet.registry.search.Filter;
import io.omelet.registry.search.FilterCompiler;
import io.omelet.registry.search.FilterParser;
import io.omelet.registry.search.OrderBy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Search: one row per run, widened with exactly the metric, param and tag columns the filter and
 * sort keys name (each folded to its current value in one aggregation per table), then the
 * compiled predicate, the sort and the page. The page's runs are then read whole.
 */
final class RunSearch {
  private final DeltaStore store;
  private final RunReader reader;

  RunSearch(DeltaStore store, RunReader reader) {
    this.store = store;
    this.reader = reader;
  }

  /** A search compiled against the tables: the filtered, widened runs frame and its sort. */
  record Plan(Dataset<Row> frame, List<Column> sort) {}

  Plan plan(SearchRunsRequest request) {
    Filter filter = FilterParser.parse(request.filter());
    List<OrderBy> order = FilterParser.parseOrderBy(request.orderBy());

    Set<Field> fields = new LinkedHashSet<>(FilterCompiler.fields(filter));
    order.forEach(o -> fields.add(o.field()));
    Map<Field, String> names = new LinkedHashMap<>();
    List<String> metricKeys = new ArrayList<>();
    List<String> paramKeys = new ArrayList<>();
    List<String> tagKeys = new ArrayList<>();
    boolean needsInputs = false;
    for (Field f : fields) {
      switch (f.entity()) {
        case METRIC -> { names.put(f, "__m" + metricKeys.size()); metricKeys.add(f.key()); }
        case PARAM -> { names.put(f, "__p" + paramKeys.size()); paramKeys.add(f.key()); }
        case TAG -> { names.put(f, "__t" + tagKeys.size()); tagKeys.add(f.key()); }
        case DATASET -> needsInputs = true;
        case ATTRIBUTE -> names.put(f, f.key());
      }
    }

    Dataset<Row> runs = store.read(RegistryTables.RUNS);
    if (!request.experimentIds().isEmpty()) {
      runs = runs.where(col("experiment_id").isin(request.experimentIds().toArray()));
    }
    runs = switch (request.viewType()) {
      case ACTIVE_ONLY -> runs.where(col("lifecycle_stage").equalTo("active"));
      case DELETED_ONLY -> runs.where(col("lifecycle_stage").equalTo("deleted"));
      case ALL -> runs;
    };

    if (!metricKeys.isEmpty()) {
      List<Column> aggs = new ArrayList<>();
      for (int i = 0; i < metricKeys.size(); i++) {
        Column latest = max_by(col("value"),
            when(col("key").equalTo(metricKeys.get(i)), struct(col("step"), col("timestamp"), col("value"))));
        // NaN would sort above every number and pass every '>': treat it as missing.
        aggs.add(when(isnan(latest), lit(null)).otherwise(latest).as("__m" + i));
      }
      Dataset<Row> m = store.read(RegistryTables.METRICS).where(col("key").isin(metricKeys.toArray()))
          .groupBy("run_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
      runs = runs.join(m, runs.col("run_id").equalTo(m.col("run_id")), "left").drop(m.col("run_id"));
    }
    if (!paramKeys.isEmpty()) {
      List<Column> aggs = new ArrayList<>();
      for (int i = 0; i < paramKeys.size(); i++) {
        aggs.add(min_by(col("value"), when(col("key").equalTo(paramKeys.get(i)), col("logged_at_us"))).as("__p" + i));
      }
      Dataset<Row> p = store.read(RegistryTables.PARAMS).where(col("key").isin(paramKeys.toArray()))
          .groupBy("run_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
      runs = runs.join(p, runs.col("run_id").equalTo(p.col("run_id")), "left").drop(p.col("run_id"));
    }
    if (!tagKeys.isEmpty()) {
      List<Column> aggs = new ArrayList<>();
      for (int i = 0; i < tagKeys.size(); i++) {
        aggs.add(max_by(when(not(col("deleted")), col("value")),
            when(col("key").equalTo(tagKeys.get(i)), col("logged_at_us"))).as("__t" + i));
      }
      Dataset<Row> t = store.read(RegistryTables.TAGS).where(col("key").isin(tagKeys.toArray()))
          .groupBy("run_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
      runs = runs.join(t, runs.col("run_id").equalTo(t.col("run_id")), "left").drop(t.col("run_id"));
    }
    if (needsInputs) {
      Dataset<Row> in = store.read(RegistryTables.INPUTS).groupBy("run_id").agg(collect_list(struct(
          col("name"), col("kind"), col("path"), col("version"), col("digest"), col("context"))).as("__inputs"));
      runs = runs.join(in, runs.col("run_id").equalTo(in.col("run_id")), "left").drop(in.col("run_id"));
    }

    FilterCompiler.Resolver resolver = new FilterCompiler.Resolver() {
      @Override
      public Column column(Field field) {
        return col(names.get(field));
      }

      @Override
      public Column anyInput(Function<Function<String, Column>, Column> predicate) {
        return functions.exists(col("__inputs"), input -> predicate.apply(input::getField));
      }
    };
    Dataset<Row> frame = runs.where(FilterCompiler.compile(filter, resolver));

    List<Column> sort = new ArrayList<>();
    for (OrderBy o : order) {
      sort.add(FilterCompiler.sortColumn(col(names.get(o.field())), o.ascending()));
    }
    // MLflow's default order, and a unique tie-breaker so pages never overlap.
    sort.add(col("start_time").desc());
    sort.add(col("run_id").asc());
    return new Plan(frame, sort);
  }

  RunPage search(SearchRunsRequest request) {
    int offset = decodeToken(request);
    Plan plan = plan(request);
    int max = request.maxResults();
    List<Row> rows = plan.frame()
        .select(RegistryTables.RUNS_SCHEMA.fieldNames()[0],
            java.util.Arrays.copyOfRange(RegistryTables.RUNS_SCHEMA.fieldNames(), 1, RegistryTables.RUNS_SCHEMA.size()))
        .orderBy(plan.sort().toArray(new Column[0]))
        .limit(offset + max + 1)
        .collectAsList();
    List<Row> page = rows.size() > offset ? rows.subList(offset, Math.min(rows.size(), offset + max)) : List.of();
    List<String> ids = page.stream().map(r -> r.<String>getAs("run_id")).toList();
    Map<String, RunData> data = ids.isEmpty() ? Map.of() : reader.data(ids);
    List<Run> runs = new ArrayList<>();
    for (Row r : page) {
      RunInfo info = RunReader.toRunInfo(r);
      runs.add(new Run(info, data.get(info.runId())));
    }
    String next = rows.size() > offset + max ? encodeToken(request, offset + max) : null;
    return new RunPage(runs, next);
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
