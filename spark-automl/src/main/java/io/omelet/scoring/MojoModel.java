package io.omelet.scoring;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An H2O MOJO (the zip H2O exports) as a serializable value: the bytes travel (e.g. in a
 * broadcast), and each JVM loads the h2o-genmodel model from them once, cached by the SHA-256 of
 * the bytes, so every task of every query on an executor shares one loaded model.
 */
public final class MojoModel implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Map<String, GenModel> LOADED = new ConcurrentHashMap<>();
  /** The same MOJOs loaded with their tree statistics, only for those asked for contributions. */
  private static final Map<String, GenModel> LOADED_WITH_CONTRIBUTIONS = new ConcurrentHashMap<>();

  private final byte[] bytes;
  private final String key;
  private transient volatile GenModel model;
  private transient volatile GenModel contributionsModel;

  private MojoModel(byte[] bytes, String key) {
    this.bytes = bytes;
    this.key = key;
  }

  /** Wraps MOJO zip bytes; fails at once if they are not a loadable MOJO. */
  public static MojoModel of(byte[] mojoZip) {
    if (mojoZip == null || mojoZip.length == 0) {
      throw new IllegalArgumentException("empty MOJO: expected the bytes of an H2O MOJO zip");
    }
    MojoModel m = new MojoModel(mojoZip.clone(), sha256(mojoZip));
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
    GenModel m = model;
    if (m == null) {
      m = LOADED.computeIfAbsent(key, k -> load(bytes));
      model = m;
    }
    return m;
  }

  /**
   * The model loaded a second time with the node statistics TreeSHAP needs (h2o-genmodel skips them
   * in a plain load): loaded lazily, only when contributions are asked for, and cached per JVM like
   * {@link #genModel()}. Scoring keeps using the lighter plain load.
   */
  public GenModel contributionsModel() {
    GenModel m = contributionsModel;
    if (m == null) {
      m = LOADED_WITH_CONTRIBUTIONS.computeIfAbsent(key, k -> loadWithContributions(bytes));
      contributionsModel = m;
    }
    return m;
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

  /** The class labels of a classifier, in the order of its probabilities; null for regression. */
  public String[] responseDomain() {
    GenModel g = genModel();
    return g.isClassifier() ? g.getDomainValues(g.getResponseIdx()) : null;
  }

  public String responseName() {
    return genModel().getResponseName();
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

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
