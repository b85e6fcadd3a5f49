package io.omelet.automl.format1;

import io.omelet.automl.VariableImportance;
import io.omelet.automl.metrics.HoldoutMetrics;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The shape {@code io.omelet.automl.ModelResult} had when AutoML models were saved with Java
 * serialization (format 1, {@code data/result.ser}: the MOJO inline as bytes). Only
 * {@link Format1Reader} uses it, to read such a model back; Java matches a record by its simple name
 * and component names, so this one stands in for the old class.
 */
record ModelResult(String modelId, String algo, int rank, Map<String, String> params,
                   Map<String, Double> leaderboardMetrics, Map<String, Double> crossValidationMetrics,
                   Map<String, Double> trainingMetrics, HoldoutMetrics holdout,
                   List<VariableImportance> variableImportance, long trainingTimeMs,
                   double predictTimePerRowMs, byte[] mojo, String error) implements Serializable {}
