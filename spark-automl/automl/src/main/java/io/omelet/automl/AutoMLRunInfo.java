package io.omelet.automl;

import java.io.Serializable;
import java.util.List;

/**
 * What a job is about to train on, known once the input is validated and split (before training):
 * for the parent run's parameters and data reference.
 *
 * @param settings the settings in force
 * @param problemType detected or given
 * @param labelCol the label column as found in the input
 * @param features the feature columns used
 * @param classLabels the label's classes (null for regression)
 * @param inputRows rows in the input
 * @param usedRows rows with a label, after sampling
 * @param trainRows rows AutoML trains on
 * @param holdoutRows rows held out for evaluation
 * @param seed the seed in force (drawn at random when the settings said -1)
 * @param warnings things the user should know (e.g. dropped all-null columns)
 * @param positiveClass binary problems: the class holdout precision, recall and F1 describe
 *     (null otherwise)
 * @param positiveClassReason why that class: "as asked" or the minority class's share
 */
public record AutoMLRunInfo(AutoMLRunSettings settings, ProblemType problemType, String labelCol,
                            List<String> features, List<String> classLabels, long inputRows,
                            long usedRows, long trainRows, long holdoutRows, long seed,
                            List<String> warnings, String positiveClass,
                            String positiveClassReason) implements Serializable {}
