package io.omelet.scoring;

import io.omelet.common.FeatureCodec;

import hex.ModelCategory;
import java.time.Instant;

/**
 * One generation of the REST server: a resolved model with everything a request needs, built once
 * and never changed. The server swaps whole generations when the alias moves, so a request that
 * started on one finishes on it. Each worker thread gets its own scorer and explainer per
 * generation (h2o-genmodel's score0 needs per-thread arrays; the loaded model is shared).
 */
final class ServedModel {
  final LoadedModel loaded;
  final MojoModel mojo;
  final Instant loadedAt;
  final String[] features;
  /** How a JSON value becomes the model's input: the rules every scoring path follows. */
  final FeatureCodec codec;
  final boolean classifier;
  final boolean binomial;
  /** The class labels of a classifier, in the order of its probabilities. */
  final String[] labels;
  final boolean explainable;
  private final ThreadLocal<Worker> workers;

  ServedModel(LoadedModel loaded, Instant loadedAt) {
    this.loaded = loaded;
    this.mojo = loaded.mojo();
    this.loadedAt = loadedAt;
    this.features = mojo.features();
    this.codec = mojo.codec();
    this.classifier = mojo.isClassifier();
    this.labels = mojo.responseDomain();
    this.binomial = mojo.category() == ModelCategory.Binomial && labels != null && labels.length == 2;
    this.explainable = RowContributions.supportedPerOutput(mojo);
    this.workers = ThreadLocal.withInitial(() -> new Worker(mojo, explainable));
  }

  Worker worker() {
    return workers.get();
  }

  /** A worker thread's scorer and (made on first use) explainer for this generation. */
  static final class Worker {
    private final MojoModel mojo;
    private final boolean explainable;
    // score(double[]) does not use the binding: rows come from JSON, not Spark columns.
    final RowScorer scorer;
    private RowContributions[] explainers;

    Worker(MojoModel mojo, boolean explainable) {
      this.mojo = mojo;
      this.explainable = explainable;
      this.scorer = new RowScorer(mojo, null);
    }

    /** One explainer per output: per class of a multinomial GBM, else one. Null when not explainable. */
    RowContributions[] explainers() {
      // Rows come prepared from JSON, so the contributions need no column binding either.
      if (explainers == null && explainable) explainers = RowContributions.perOutput(mojo, null);
      return explainers;
    }
  }
}
