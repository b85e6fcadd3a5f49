package io.omelet.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Per-column drift tests between two profiles, and the alerts they raise. */
public final class DriftReport {
  public long baselineRows;
  public long currentRows;
  public List<ColumnDrift> columns = new ArrayList<>();
  public List<String> alerts = new ArrayList<>();

  public ColumnDrift column(String name) {
    for (ColumnDrift c : columns) if (c.column.equals(name)) return c;
    throw new IllegalArgumentException("no drift result for column '" + name + "'");
  }

  public boolean anyDrift() {
    return !alerts.isEmpty();
  }

  public String toJson() {
    try {
      return Profile.JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("drift report could not be written as JSON", e);
    }
  }

  public static DriftReport fromJson(String json) {
    try {
      return Profile.JSON.readValue(json, DriftReport.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a drift report in JSON: " + e.getOriginalMessage(), e);
    }
  }

  public Path writeJson(Path file) throws IOException {
    return Files.writeString(file, toJson(), StandardCharsets.UTF_8);
  }
}
