package io.omelet.automl;

import java.io.Serializable;

/** One row of H2O's variable importance table (tree models may list one-hot levels separately). */
public record VariableImportance(String variable, double relativeImportance,
                                 double scaledImportance, double percentage) implements Serializable {}
