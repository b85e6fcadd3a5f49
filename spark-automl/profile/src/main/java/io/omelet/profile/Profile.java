package io.omelet.profile;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.omelet.registry.OmeletRegistry;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The result of {@link DataProfiler#profile}: overview, variables, alerts, correlations (FULL mode
 * only), missing values and samples. Serializes to JSON and back, renders as a self-contained HTML
 * report, and lists its per-column statistics as a DataFrame.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Profile {
  public Overview overview = new Overview();
  public List<VariableProfile> variables = new ArrayList<>();
  public List<Alert> alerts = new ArrayList<>();
  public Correlations correlations;
  public MissingValues missing = new MissingValues();
  public Samples samples = new Samples();

  static final ObjectMapper JSON = new ObjectMapper()
      .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
      .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(SerializationFeature.INDENT_OUTPUT, true);

  public VariableProfile variable(String name) {
    for (VariableProfile v : variables) if (v.name.equals(name)) return v;
    throw new IllegalArgumentException("no column '" + name + "' in this profile; columns: "
        + variables.stream().map(x -> x.name).toList());
  }

  public List<Alert> alertsOf(AlertType type) {
    return alerts.stream().filter(a -> a.type == type).toList();
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("profile could not be written as JSON", e);
    }
  }

  public static Profile fromJson(String json) {
    try {
      return JSON.readValue(json, Profile.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a profile in JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static Profile readJson(Path file) throws IOException {
    return fromJson(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Writes the JSON form, e.g. to log it as a run artifact. */
  public Path writeJson(Path file) throws IOException {
    return Files.writeString(file, toJson(), StandardCharsets.UTF_8);
  }

  /** A complete HTML document. */
  public String toHtml() {
    return HtmlReport.document(this);
  }

  /** A fragment for Zeppelin's %html (or any host page): styles and script are scoped to it. */
  public String toHtmlFragment() {
    return HtmlReport.fragment(this);
  }

  public Path writeHtml(Path file) throws IOException {
    return Files.writeString(file, toHtml(), StandardCharsets.UTF_8);
  }

  /**
   * Logs this profile as artifacts of a run, {@code <artifactDir>/profile.json} and
   * {@code <artifactDir>/profile.html}, so a later profile can be checked for drift against it.
   */
  public void logTo(OmeletRegistry registry, String runId, String artifactDir) {
    String dir = artifactDir == null || artifactDir.isBlank() ? "" : artifactDir.replaceAll("/+$", "") + "/";
    registry.logText(runId, toJson(), dir + "profile.json");
    registry.logText(runId, toHtml(), dir + "profile.html");
  }

  /** The profile a run logged with {@link #logTo}. */
  public static Profile fromRun(OmeletRegistry registry, String runId, String artifactDir) {
    String dir = artifactDir == null || artifactDir.isBlank() ? "" : artifactDir.replaceAll("/+$", "") + "/";
    return fromJson(new String(registry.readArtifact(runId, dir + "profile.json"), StandardCharsets.UTF_8));
  }

  /** One row per column with its statistics (see {@link ProfileTable#SCHEMA}). */
  public Dataset<Row> toDataFrame(SparkSession spark) {
    return ProfileTable.toDataFrame(this, spark);
  }

}
