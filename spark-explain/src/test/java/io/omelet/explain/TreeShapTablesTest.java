package io.omelet.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.omelet.scoring.FeatureBinding;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.TreeShapProbe;

/** Fast TreeSHAP's precomputed tables give the recursion's values on real rows, alone or mixed with it. */
class TreeShapTablesTest {

  @ParameterizedTest
  @ValueSource(strings = {"gbm", "drf", "xrt", "gbm_reg"})
  void tablesGiveTheRecursionsContributions(String kind) {
    MojoModel mojo = H2OModels.get(kind);
    Dataset<Row> rows = (kind.endsWith("_reg") ? H2OModels.diamondsH2OColumns() : H2OModels.lendingClubH2OColumns())
        .limit(300);
    FeatureBinding binding = FeatureBinding.bind(rows.schema(), mojo);
    int n = mojo.features().length;
    TreeShapProbe tables = new TreeShapProbe(mojo, TreeShapProbe.defaultBudget(), TreeShapProbe.maxTableDepth());
    TreeShapProbe recursion = new TreeShapProbe(mojo, 0, TreeShapProbe.maxTableDepth());
    assertEquals(0, recursion.tabledTrees());
    System.err.printf("%s: %d of %d trees tabled, %d entries%n", kind, tables.tabledTrees(), tables.trees(),
        tables.tableEntries());
    // GBM trees of depth 4 all fit the default budget.
    if (kind.startsWith("gbm")) assertEquals(tables.trees(), tables.tabledTrees(), kind);
    assertTrue(tables.tabledTrees() > 1, kind);
    // Some trees through tables, the others through the recursion: by the budget, and by depth (as deep trees).
    TreeShapProbe mixed = new TreeShapProbe(mojo, tables.tableEntries() / 2, TreeShapProbe.maxTableDepth());
    assertTrue(mixed.tabledTrees() > 0 && mixed.tabledTrees() < tables.trees(), kind + ": " + mixed.tabledTrees());
    int depth = kind.startsWith("gbm") ? 3 : 6;
    TreeShapProbe shallow = new TreeShapProbe(mojo, TreeShapProbe.defaultBudget(), depth);
    System.err.printf("%s: %d of %d trees tabled at most %d unique path features%n", kind, shallow.tabledTrees(),
        shallow.trees(), depth);
    assertTrue(shallow.tabledTrees() < tables.trees(), kind + ": every tree has <= " + depth + " path features");
    assertEquals(recursion.bias(), tables.bias(), 0.0);

    double[] x = new double[Math.max(mojo.contributionsModel().getNames().length, mojo.contributionsModel().nfeatures())];
    List<InternalRow> in = rows.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).collect();
    double maxDiff = 0;
    double maxAbs = 0;
    for (InternalRow r : in) {
      binding.fill(r, x);
      double[] expected = recursion.shapByRecursion(x, n);
      double[] fast = tables.shap(x, n);
      double[] half = mixed.shap(x, n);
      double[] deep = shallow.shap(x, n);
      double[] sameTreesByRecursion = tables.shapByRecursion(x, n);
      for (int f = 0; f < n; f++) {
        maxDiff = Math.max(maxDiff, Math.abs(fast[f] - expected[f]));
        maxDiff = Math.max(maxDiff, Math.abs(half[f] - expected[f]));
        maxDiff = Math.max(maxDiff, Math.abs(deep[f] - expected[f]));
        assertEquals(expected[f], sameTreesByRecursion[f], 0.0);
        maxAbs = Math.max(maxAbs, Math.abs(expected[f]));
      }
    }
    System.err.printf("%s: max |tables - recursion| = %.3g over %d rows (max |phi| %.3g)%n", kind, maxDiff, in.size(),
        maxAbs);
    assertEquals(300, in.size());
    assertTrue(maxAbs > 1e-3, kind + ": contributions all ~0");
    assertTrue(maxDiff <= 1e-9, kind + ": max |tables - recursion| = " + maxDiff);
  }
}
