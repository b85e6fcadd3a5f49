package io.omelet.inference;

import java.util.List;

/**
 * What one {@link InferenceLabels#merge} did. Figures about labels count rows of the labels
 * input; figures about rows count rows of the inference table (a request of several rows has
 * one row each, and a label given by request id alone goes to all of them).
 *
 * @param table the inference table's path
 * @param version the table's version after the merge: the version before it when nothing had to
 *     change (a re-run commits nothing)
 * @param labelsRead rows of the labels input
 * @param nullIds labels ignored because their id (or, with a row column, their row index) is null
 * @param nullLabels labels ignored because the label is null (or NaN, for regression)
 * @param matchedLabels labels whose request id is in the table
 * @param newLabels matched labels set on rows that had none
 * @param replacedLabels matched labels that replaced an earlier, different label
 * @param unchangedLabels matched labels equal to what the rows hold already: nothing written
 * @param unknownIds labels whose request id (or request id and row) is not in the table
 * @param unknownIdExamples a few of those ids, sorted
 * @param replacedExamples a few replacements, sorted by id, as {@code id: old -> new}
 * @param rowsMatched table rows the matched labels point at
 * @param rowsUpdated table rows whose label the merge wrote
 */
public record LabelMerge(String table, long version, long labelsRead, long nullIds, long nullLabels,
    long matchedLabels, long newLabels, long replacedLabels, long unchangedLabels, long unknownIds,
    List<String> unknownIdExamples, List<String> replacedExamples, long rowsMatched, long rowsUpdated) {

  public LabelMerge {
    unknownIdExamples = List.copyOf(unknownIdExamples);
    replacedExamples = List.copyOf(replacedExamples);
  }

  /** Whether the merge wrote anything (a commit). */
  public boolean changed() {
    return rowsUpdated > 0;
  }

  /** One line for people: what was merged, what was replaced, what was not found. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append(matchedLabels).append(" of ").append(labelsRead).append(" labels matched ").append(rowsMatched)
        .append(rows(rowsMatched)).append(": ").append(newLabels).append(" new, ").append(replacedLabels)
        .append(" replaced an earlier label, ").append(unchangedLabels).append(" unchanged; ")
        .append(rowsUpdated).append(rows(rowsUpdated)).append(" updated");
    if (replacedLabels > 0) b.append("; replaced: ").append(String.join(", ", replacedExamples))
        .append(replacedLabels > replacedExamples.size() ? ", ..." : "");
    if (unknownIds > 0) b.append("; ").append(unknownIds).append(" label").append(unknownIds == 1 ? "" : "s")
        .append(" for ids not in the table: ").append(String.join(", ", unknownIdExamples))
        .append(unknownIds > unknownIdExamples.size() ? ", ..." : "");
    if (nullIds + nullLabels > 0) {
      b.append("; ignored: ").append(nullIds).append(" without an id, ").append(nullLabels).append(" without a label");
    }
    return b.toString();
  }

  private static String rows(long n) {
    return n == 1 ? " row" : " rows";
  }
}
