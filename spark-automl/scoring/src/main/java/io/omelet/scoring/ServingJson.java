package io.omelet.scoring;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.registry.ResolvedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The scoring server's JSON answers, streamed with Jackson's generator: predictions (with SHAP
 * contributions when asked), the served model's description, and the reference to the version
 * that scored a request.
 */
final class ServingJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes the fields of one JSON object. */
  interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private ServingJson() {}

  /** One JSON object (the fields {@code fields} writes) as bytes. */
  static byte[] object(Fields fields) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.getFactory().createGenerator(buf, JsonEncoding.UTF8)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON to memory", e);
    }
    return buf.toByteArray();
  }

  /**
   * {@code model} (the version that scored) and one {@code predictions} entry per row, in order:
   * {@code scores[i]} is row i's scores as h2o-genmodel gives them (label index, then probabilities).
   */
  static void predictions(JsonGenerator g, ServedModel model, double[][] rows, double[][] scores, boolean explain)
      throws IOException {
    modelRef(g, model);
    ServedModel.Worker w = model.worker();
    RowContributions[] explainers = explain ? w.explainers() : null;
    String[] contributionNames = explainers == null ? null : explainers[0].names();
    // a multinomial GBM is explained per class: contributions and bias keyed by class first
    boolean perClass = explainers != null && explainers.length > 1;
    g.writeArrayFieldStart("predictions");
    for (int i = 0; i < rows.length; i++) {
      double[] row = rows[i];
      double[] p = scores[i];
      g.writeStartObject();
      if (model.classifier) {
        g.writeStringField("prediction", model.labels[(int) p[0]]);
        g.writeObjectFieldStart("probabilities");
        for (int c = 0; c < model.labels.length; c++) g.writeNumberField(model.labels[c], p[1 + c]);
        g.writeEndObject();
        // H2O treats the second label of a binomial model as the positive class.
        if (model.binomial) g.writeNumberField("positive_probability", p[2]);
      } else {
        g.writeNumberField("prediction", p[0]);
      }
      if (explainers != null && !perClass) {
        double[] c = explainers[0].contributions(row);
        g.writeFieldName("contributions");
        contributions(g, contributionNames, c);
        g.writeNumberField("bias", c[contributionNames.length]);
      } else if (perClass) {
        double[] bias = new double[explainers.length];
        g.writeObjectFieldStart("contributions");
        for (int k = 0; k < explainers.length; k++) {
          double[] c = explainers[k].contributions(row);
          g.writeFieldName(model.labels[k]);
          contributions(g, contributionNames, c);
          bias[k] = c[contributionNames.length];
        }
        g.writeEndObject();
        g.writeObjectFieldStart("bias");
        for (int k = 0; k < bias.length; k++) g.writeNumberField(model.labels[k], bias[k]);
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void contributions(JsonGenerator g, String[] names, double[] c) throws IOException {
    g.writeStartObject();
    for (int i = 0; i < names.length; i++) g.writeNumberField(names[i], c[i]);
    g.writeEndObject();
  }

  /** {@code "model": {uri, name, version}}: which version answered. */
  static void modelRef(JsonGenerator g, ServedModel model) throws IOException {
    ResolvedModel r = model.loaded.resolved();
    g.writeObjectFieldStart("model");
    g.writeStringField("uri", r.uri());
    if (r.name() != null) g.writeStringField("name", r.name());
    if (r.version() != null) g.writeNumberField("version", r.version());
    if (r.alias() != null) g.writeStringField("alias", r.alias());
    g.writeEndObject();
  }

  /** GET /model: where the model comes from, what it predicts and the features it reads. */
  static void model(JsonGenerator g, ServedModel model) throws IOException {
    ResolvedModel r = model.loaded.resolved();
    MojoModel m = model.mojo;
    g.writeStringField("uri", r.uri());
    if (r.name() != null) g.writeStringField("name", r.name());
    if (r.version() != null) g.writeNumberField("version", r.version());
    if (r.runId() != null) g.writeStringField("run_id", r.runId());
    g.writeStringField("location", r.location());
    g.writeStringField("algorithm", algorithm(model));
    g.writeStringField("category", m.category().name());
    g.writeBooleanField("classifier", model.classifier);
    g.writeBooleanField("explainable", model.explainable);
    g.writeObjectFieldStart("response");
    g.writeStringField("name", m.responseName());
    if (model.labels != null) {
      g.writeArrayFieldStart("labels");
      for (String l : model.labels) g.writeString(l);
      g.writeEndArray();
      if (model.binomial) g.writeStringField("positive_label", model.labels[1]);
    }
    g.writeEndObject();
    g.writeArrayFieldStart("features");
    for (int f = 0; f < model.features.length; f++) {
      g.writeStartObject();
      g.writeStringField("name", model.features[f]);
      g.writeStringField("type", model.codec.categorical(f) ? "categorical" : "numeric");
      if (model.codec.categorical(f)) {
        g.writeArrayFieldStart("levels");
        for (String l : m.featureDomain(f)) g.writeString(l);
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("mojo_sha256", m.key());
    if (m.genModel() instanceof hex.genmodel.MojoModel mm && mm._h2oVersion != null) {
      g.writeStringField("h2o_version", mm._h2oVersion);
    }
    g.writeStringField("loaded_at", model.loadedAt.toString());
  }

  private static String algorithm(ServedModel model) {
    return model.mojo.genModel() instanceof hex.genmodel.MojoModel mm && mm._algoName != null
        ? mm._algoName : model.mojo.genModel().getClass().getSimpleName();
  }
}
