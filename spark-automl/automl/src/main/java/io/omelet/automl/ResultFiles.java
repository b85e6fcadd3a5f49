package io.omelet.automl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omelet.automl.format1.Format1Reader;
import io.omelet.automl.metrics.HoldoutMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An {@link AutoMLModel}'s files beside Spark's {@code metadata/} (format 2):
 * <pre>
 * data/result.json          the leaderboard: every model's params, metrics, variable importance,
 *                           errors, and where its MOJO is (file, SHA-256, size); the run info and
 *                           the settings; which model the transformer scores with; the refit
 *                           of the leader on all rows (or why there is none)
 * data/models/NN.zip        one MOJO per leaderboard model (NN = its rank), read when first used
 * data/models/refit.zip     the refit's MOJO
 * </pre>
 * A model saved before refits existed reads with no refit and its leader served.
 * Plain JSON and H2O's own MOJO zips, so any tool reads a saved model. Non-finite doubles are the
 * strings "NaN", "Infinity", "-Infinity". Format 1 ({@code data/result.ser}, Java serialization,
 * before Omelet 0.1's JSON format) is still read.
 */
final class ResultFiles {
  static final int FORMAT = 2;
  static final String RESULT_JSON = "data/result.json";
  static final String MODELS_DIR = "data/models";
  static final String FORMAT1_RESULT = "data/result.ser";
  static final String FORMAT1_SCORING = "data/scoring_model_id.txt";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What a saved model's files hold. */
  record Saved(AutoMLResult result, String scoringModelId) {}

  private ResultFiles() {}

  static void write(FileSystem fs, String path, AutoMLResult result, String scoringModelId) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("scoringModelId", scoringModelId);
    root.put("projectName", result.projectName());
    root.put("sortMetric", result.sortMetric());
    root.put("durationMs", result.durationMs());
    strings(root.putArray("engineMessages"), result.engineMessages());
    writeInfo(root.putObject("info"), result.info());
    ArrayNode models = root.putArray("models");
    for (ModelResult m : result.models()) {
      writeModel(fs, path, models.addObject(), m, String.format("%s/%02d.zip", MODELS_DIR, m.rank()));
    }
    if (result.refit() != null) {
      Refit r = result.refit();
      ObjectNode n = root.putObject("refit");
      n.put("leaderModelId", r.leaderModelId());
      n.put("rows", r.rows());
      n.put("durationMs", r.durationMs());
      writeModel(fs, path, n.putObject("model"), r.model(), MODELS_DIR + "/refit.zip");
    }
    if (result.refitNote() != null) root.put("refitNote", result.refitNote());
    try (OutputStream out = fs.create(new Path(path, RESULT_JSON))) {
      JSON.writeValue(out, root);
    }
  }

  static Saved read(FileSystem fs, String path) throws IOException {
    Path json = new Path(path, RESULT_JSON);
    if (!fs.exists(json)) {
      if (fs.exists(new Path(path, FORMAT1_RESULT))) return readFormat1(fs, path);
      throw new IllegalArgumentException("no AutoML result at " + path + ": expected " + RESULT_JSON
          + " (or a format-1 " + FORMAT1_RESULT + ")");
    }
    JsonNode root;
    try (InputStream in = fs.open(json)) {
      root = JSON.readTree(in);
    }
    int format = root.path("format").asInt(-1);
    if (format != FORMAT) {
      throw new IllegalArgumentException(json + " is in format " + format + "; this Omelet reads format "
          + FORMAT + " (and format 1): load and save it with the Omelet version that wrote it");
    }
    List<ModelResult> models = new ArrayList<>();
    for (JsonNode n : root.path("models")) models.add(readModel(n, path));
    JsonNode r = root.get("refit");
    Refit refit = r == null || r.isNull() ? null : new Refit(readModel(r.path("model"), path),
        text(r.get("leaderModelId")), r.path("rows").asLong(), r.path("durationMs").asLong());
    AutoMLResult result = new AutoMLResult(text(root.get("projectName")), readInfo(root.path("info")),
        text(root.get("sortMetric")), List.copyOf(models), refit, text(root.get("refitNote")),
        strings(root.path("engineMessages")),
        root.path("durationMs").asLong());
    return new Saved(result, root.path("scoringModelId").asText(result.servedModel().modelId()));
  }

  private static Saved readFormat1(FileSystem fs, String path) throws IOException {
    AutoMLResult result;
    try (InputStream in = fs.open(new Path(path, FORMAT1_RESULT))) {
      result = Format1Reader.read(in);
    } catch (IOException e) {
      throw new IOException(path + " holds a format-1 AutoML model (" + FORMAT1_RESULT + ") that cannot be read ("
          + e.getMessage() + "): load it with the Omelet version that saved it and save it again", e);
    }
    String scoring = result.leader().modelId();
    Path s = new Path(path, FORMAT1_SCORING);
    if (fs.exists(s)) {
      try (InputStream in = fs.open(s)) {
        scoring = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return new Saved(result, scoring);
  }

  // ------------------------------------------------------------ parts

  private static void writeModel(FileSystem fs, String path, ObjectNode n, ModelResult m, String file)
      throws IOException {
    n.put("modelId", m.modelId());
    n.put("algo", m.algo());
    n.put("rank", m.rank());
    n.put("trainingRows", m.trainingRows());
    ObjectNode params = n.putObject("params");
    m.params().forEach(params::put);
    metrics(n.putObject("leaderboardMetrics"), m.leaderboardMetrics());
    metrics(n.putObject("crossValidationMetrics"), m.crossValidationMetrics());
    metrics(n.putObject("trainingMetrics"), m.trainingMetrics());
    if (m.holdout() != null) writeHoldout(n.putObject("holdout"), m.holdout());
    ArrayNode vi = n.putArray("variableImportance");
    for (VariableImportance v : m.variableImportance()) {
      ObjectNode o = vi.addObject();
      o.put("variable", v.variable());
      number(o, "relativeImportance", v.relativeImportance());
      number(o, "scaledImportance", v.scaledImportance());
      number(o, "percentage", v.percentage());
    }
    n.put("trainingTimeMs", m.trainingTimeMs());
    number(n, "predictTimePerRowMs", m.predictTimePerRowMs());
    if (m.hasMojo()) {
      byte[] zip = m.mojo();
      try (OutputStream out = fs.create(new Path(path, file))) {
        out.write(zip);
      }
      ObjectNode mojo = n.putObject("mojo");
      mojo.put("file", file.substring("data/".length()));
      mojo.put("sha256", MojoZip.sha256(zip));
      mojo.put("bytes", zip.length);
    }
    if (m.error() != null) n.put("error", m.error());
  }

  private static ModelResult readModel(JsonNode n, String path) {
    JsonNode mojo = n.get("mojo");
    MojoZip zip = mojo == null || mojo.isNull() ? null
        : MojoZip.at(new Path(new Path(path, "data"), mojo.path("file").asText()).toString(),
            mojo.path("sha256").asText(), mojo.path("bytes").asLong());
    Map<String, String> params = new LinkedHashMap<>();
    n.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
    List<VariableImportance> vi = new ArrayList<>();
    for (JsonNode v : n.path("variableImportance")) {
      vi.add(new VariableImportance(v.path("variable").asText(), number(v.get("relativeImportance")),
          number(v.get("scaledImportance")), number(v.get("percentage"))));
    }
    JsonNode holdout = n.get("holdout");
    return new ModelResult(n.path("modelId").asText(), n.path("algo").asText(), n.path("rank").asInt(),
        n.path("trainingRows").asLong(-1), params, metrics(n.path("leaderboardMetrics")),
        metrics(n.path("crossValidationMetrics")), metrics(n.path("trainingMetrics")),
        holdout == null || holdout.isNull() ? null : readHoldout(holdout), List.copyOf(vi),
        n.path("trainingTimeMs").asLong(), number(n.get("predictTimePerRowMs")), zip, text(n.get("error")));
  }

  private static void writeInfo(ObjectNode n, AutoMLRunInfo info) {
    ObjectNode settings = n.putObject("settings");
    info.settings().toMap().forEach(settings::put);
    n.put("problemType", info.problemType().name());
    n.put("labelCol", info.labelCol());
    strings(n.putArray("features"), info.features());
    if (info.classLabels() != null) strings(n.putArray("classLabels"), info.classLabels());
    n.put("inputRows", info.inputRows());
    n.put("usedRows", info.usedRows());
    n.put("trainRows", info.trainRows());
    n.put("holdoutRows", info.holdoutRows());
    n.put("seed", info.seed());
    strings(n.putArray("warnings"), info.warnings());
    if (info.positiveClass() != null) n.put("positiveClass", info.positiveClass());
    if (info.positiveClassReason() != null) n.put("positiveClassReason", info.positiveClassReason());
  }

  private static AutoMLRunInfo readInfo(JsonNode n) {
    Map<String, String> settings = new LinkedHashMap<>();
    n.path("settings").fields().forEachRemaining(e -> settings.put(e.getKey(), text(e.getValue())));
    JsonNode labels = n.get("classLabels");
    return new AutoMLRunInfo(AutoMLRunSettings.fromMap(settings), ProblemType.valueOf(n.path("problemType").asText()),
        text(n.get("labelCol")), strings(n.path("features")), labels == null ? null : strings(labels),
        n.path("inputRows").asLong(), n.path("usedRows").asLong(), n.path("trainRows").asLong(),
        n.path("holdoutRows").asLong(), n.path("seed").asLong(), strings(n.path("warnings")),
        text(n.get("positiveClass")), text(n.get("positiveClassReason")));
  }

  private static void writeHoldout(ObjectNode n, HoldoutMetrics h) {
    metrics(n.putObject("values"), h.values());
    if (h.labels() != null) strings(n.putArray("labels"), List.of(h.labels()));
    if (h.confusionMatrix() != null) {
      ArrayNode rows = n.putArray("confusionMatrix");
      for (long[] row : h.confusionMatrix()) {
        ArrayNode r = rows.addArray();
        for (long c : row) r.add(c);
      }
    }
    if (h.threshold() != null) number(n, "threshold", h.threshold());
    n.put("rows", h.rows());
  }

  private static HoldoutMetrics readHoldout(JsonNode n) {
    JsonNode labels = n.get("labels");
    JsonNode cm = n.get("confusionMatrix");
    long[][] matrix = null;
    if (cm != null) {
      matrix = new long[cm.size()][];
      for (int i = 0; i < cm.size(); i++) {
        matrix[i] = new long[cm.get(i).size()];
        for (int j = 0; j < matrix[i].length; j++) matrix[i][j] = cm.get(i).get(j).asLong();
      }
    }
    JsonNode t = n.get("threshold");
    return new HoldoutMetrics(metrics(n.path("values")), labels == null ? null : strings(labels).toArray(new String[0]),
        matrix, t == null || t.isNull() ? null : number(t), n.path("rows").asLong());
  }

  private static void metrics(ObjectNode n, Map<String, Double> values) {
    for (Map.Entry<String, Double> e : values.entrySet()) {
      if (e.getValue() == null) n.putNull(e.getKey());
      else number(n, e.getKey(), e.getValue());
    }
  }

  private static Map<String, Double> metrics(JsonNode n) {
    Map<String, Double> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? null : number(e.getValue())));
    return out;
  }

  private static void number(ObjectNode n, String name, double v) {
    if (Double.isFinite(v)) n.put(name, v);
    else n.put(name, Double.toString(v)); // NaN, Infinity, -Infinity
  }

  private static double number(JsonNode n) {
    if (n == null || n.isNull()) return Double.NaN;
    return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
  }

  private static void strings(ArrayNode a, List<String> values) {
    for (String s : values) a.add(s);
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : a) out.add(s.asText());
    return List.copyOf(out);
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}
