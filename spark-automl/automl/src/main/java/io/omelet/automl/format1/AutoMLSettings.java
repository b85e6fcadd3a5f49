package io.omelet.automl.format1;

import io.omelet.automl.AutoMLRunSettings;
import io.omelet.automl.ProblemType;
import java.io.Serializable;
import java.util.List;

/**
 * The fields {@code io.omelet.automl.AutoMLSettings} had when AutoML models were saved with Java
 * serialization (format 1). Only {@link Format1Reader} uses it: Java matches a class by its simple
 * name, fields and serialVersionUID, so this one stands in for the old class and resolves to the
 * {@link AutoMLRunSettings} it meant. Fields the file lacks read as Java's defaults, as they did
 * when the old class read them.
 */
final class AutoMLSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private String labelCol;
  private String[] featuresCols;
  private String[] ignoredCols;
  private ProblemType problemType;
  private int maxModels;
  private double maxRuntimeSecs;
  private double maxRuntimeSecsPerModel;
  private int nfolds;
  private long seed;
  private String[] includeAlgos;
  private String[] excludeAlgos;
  private String sortMetric;
  private String stoppingMetric;
  private int stoppingRounds;
  private double stoppingTolerance;
  private boolean balanceClasses;
  private String weightCol;
  private double sample;
  private double holdoutFraction;
  private String positiveClass;
  private boolean refitOnAllRows;
  private String foldCol;
  private String groupCol;
  private double exploitationRatio;

  private Object readResolve() {
    return new AutoMLRunSettings(labelCol, list(featuresCols), list(ignoredCols), problemType, maxModels,
        maxRuntimeSecs, maxRuntimeSecsPerModel, nfolds, seed, list(includeAlgos), list(excludeAlgos), sortMetric,
        stoppingMetric, stoppingRounds, stoppingTolerance, balanceClasses, weightCol, sample, holdoutFraction,
        positiveClass, refitOnAllRows, foldCol, groupCol, exploitationRatio);
  }

  private static List<String> list(String[] a) {
    return a == null ? List.of() : List.of(a);
  }
}
