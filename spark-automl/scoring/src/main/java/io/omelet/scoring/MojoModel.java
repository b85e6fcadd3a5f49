package io.omelet.scoring;

import io.omelet.common.FeatureCodec;

import hex.ModelCategory;
import hex.genmodel.GenModel;
import hex.genmodel.MojoReaderBackend;
import hex.genmodel.MojoReaderBackendFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * An H2O MOJO (the zip H2O exports) as a serializable value: the bytes travel (e.g. in a
 * broadcast), and each JVM loads the h2o-genmodel model from them once, cached by the SHA-256 of
 * the bytes, so every task of every query on an executor shares one loaded model. The loaded
 * models live in the bounded {@link ModelCache}, not in this value, so a model no query uses any
 * more can be dropped while values naming it are still around.
 */
public final class MojoModel implements Serializable {
  private static final long serialVersionUID = 2L;

  private final byte[] bytes;
  private final String key;
  /** The MOJO's unzipped size: what a loaded model is weighed at in the cache. */
  private final long unzippedBytes;

  private MojoModel(byte[] bytes, String key, long unzippedBytes) {
    this.bytes = bytes;
    this.key = key;
    this.unzippedBytes = unzippedBytes;
  }

  /** Wraps MOJO zip bytes; fails at once if they are not a loadable MOJO. */
  public static MojoModel of(byte[] mojoZip) {
    if (mojoZip == null || mojoZip.length == 0) {
      throw new IllegalArgumentException("empty MOJO: expected the bytes of an H2O MOJO zip");
    }
    byte[] copy = mojoZip.clone();
    MojoModel m = new MojoModel(copy, sha256(copy), unzippedSize(copy));
    m.genModel();
    return m;
  }

  /** The content hash the JVM-wide cache is keyed by. */
  public String key() {
    return key;
  }

  /** The MOJO zip. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public int size() {
    return bytes.length;
  }

  /** The loaded h2o-genmodel model, shared by all users in this JVM. */
  public GenModel genModel() {
    return ModelCache.SHARED.get("model:" + key, () -> load(bytes), g -> unzippedBytes);
  }

  /**
   * The model loaded a second time with the node statistics h2o-genmodel's own contributions
   * predictor needs (XGBoost; GBM and DRF are explained from their flat trees instead): loaded
   * lazily, only when contributions are asked for, and cached per JVM like {@link #genModel()}.
   */
  public GenModel contributionsModel() {
    return ModelCache.SHARED.get("contributions-model:" + key, () -> loadWithContributions(bytes), g -> unzippedBytes);
  }

  /** The size the cache weighs this MOJO's loaded model at. */
  long unzippedBytes() {
    return unzippedBytes;
  }

  /**
   * A fresh load with the node statistics (not cached): for building a model's flat trees once,
   * after which this load is dropped.
   */
  GenModel readWithContributions() {
    return loadWithContributions(bytes);
  }

  /** H2O's algorithm name as the MOJO records it, e.g. "Gradient Boosting Machine". */
  public String algorithm() {
    GenModel g = genModel();
    return g instanceof hex.genmodel.MojoModel mm && mm._algoName != null ? mm._algoName
        : g.getClass().getSimpleName();
  }

  public ModelCategory category() {
    return genModel().getModelCategory();
  }

  public boolean isClassifier() {
    return genModel().isClassifier();
  }

  /** The model's input features, in the order its row arrays use. */
  public String[] features() {
    GenModel g = genModel();
    return Arrays.copyOf(g.getNames(), g.nfeatures());
  }

  /** The levels of feature i (null for a numeric feature). */
  public String[] featureDomain(int i) {
    return genModel().getDomainValues(i);
  }

  /** The codec of this model's signature: its features, in its order, and their levels. */
  public FeatureCodec codec() {
    String[] features = features();
    String[][] domains = new String[features.length][];
    for (int f = 0; f < features.length; f++) domains[f] = featureDomain(f);
    return FeatureCodec.of(features, domains);
  }

  /** The class labels of a classifier, in the order of its probabilities; null for regression. */
  public String[] responseDomain() {
    GenModel g = genModel();
    return g.isClassifier() ? g.getDomainValues(g.getResponseIdx()) : null;
  }

  public String responseName() {
    return genModel().getResponseName();
  }

  // ------------------------------------------------------------ what the model was trained on

  /**
   * The entry Omelet adds to the MOJOs it exports, beside H2O's own: the model id, the rows it was
   * trained on and, for a refit, the model it refits. H2O's readers ignore it.
   */
  public static final String TRAINING_INFO_ENTRY = "omelet/training.json";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** The MOJO zip with {@link #TRAINING_INFO_ENTRY} written (replacing one already there). */
  public static byte[] withTrainingInfo(byte[] zip, String modelId, long trainingRows, String refitOf) {
    com.fasterxml.jackson.databind.node.ObjectNode info = JSON.createObjectNode();
    info.put("model_id", modelId);
    info.put("training_rows", trainingRows);
    if (refitOf != null) info.put("refit_of", refitOf);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(zip.length + 256);
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
         ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        if (e.getName().equals(TRAINING_INFO_ENTRY)) continue;
        out.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
      out.putNextEntry(new ZipEntry(TRAINING_INFO_ENTRY));
      out.write(JSON.writeValueAsBytes(info));
      out.closeEntry();
    } catch (IOException e) {
      throw new IllegalArgumentException("not an H2O MOJO zip (" + zip.length + " bytes): " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  /**
   * The rows the model was trained on, as Omelet recorded them in the MOJO; -1 for a MOJO that
   * does not say (exported by H2O itself, or before this was recorded).
   */
  public long trainingRows() {
    com.fasterxml.jackson.databind.JsonNode info = trainingInfo();
    return info == null ? -1 : info.path("training_rows").asLong(-1);
  }

  /** The id of the model this MOJO refits on all rows; null when it is not a refit. */
  public String refitOf() {
    com.fasterxml.jackson.databind.JsonNode info = trainingInfo();
    return info == null || !info.hasNonNull("refit_of") ? null : info.get("refit_of").asText();
  }

  private com.fasterxml.jackson.databind.JsonNode trainingInfo() {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        if (e.getName().equals(TRAINING_INFO_ENTRY)) return JSON.readTree(in.readAllBytes());
      }
      return null;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + TRAINING_INFO_ENTRY + " of the MOJO: " + e.getMessage(), e);
    }
  }

  private static GenModel load(byte[] bytes) {
    try {
      MojoReaderBackend reader = MojoReaderBackendFactory.createReaderBackend(
          new ByteArrayInputStream(bytes), MojoReaderBackendFactory.CachingStrategy.MEMORY);
      return hex.genmodel.MojoModel.load(reader);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot load the MOJO (" + bytes.length + " bytes): " + e, e);
    }
  }

  private static GenModel loadWithContributions(byte[] bytes) {
    try {
      MojoReaderBackend reader = MojoReaderBackendFactory.createReaderBackend(
          new ByteArrayInputStream(bytes), MojoReaderBackendFactory.CachingStrategy.MEMORY);
      return hex.genmodel.ModelMojoReader.readFrom(reader, true);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot load the MOJO (" + bytes.length
          + " bytes) with its contribution data: " + e, e);
    }
  }

  private static long unzippedSize(byte[] zip) {
    long total = 0;
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      byte[] buf = new byte[8192];
      while (in.getNextEntry() != null) {
        for (int n; (n = in.read(buf)) > 0; ) total += n;
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not an H2O MOJO zip (" + zip.length + " bytes): " + e.getMessage(), e);
    }
    return Math.max(total, zip.length);
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
