package io.omelet.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.scoring.FeatureBinding;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.RowScorer;
import io.omelet.scoring.TreeShapProbe;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RowScorer walks a GBM's, DRF's or XRT's trees from flat arrays (binomial, multinomial,
 * regression); on every row of the data it must give exactly h2o-genmodel's own score0 (same label,
 * same probabilities to the last bit), NAs and unseen levels included. Other models keep
 * h2o-genmodel's score0.
 */
class FlatForestScoringTest {
  @ParameterizedTest
  @ValueSource(strings = {"gbm", "gbm_reg", "gbm_multi", "drf", "drf_reg", "drf_multi", "xrt", "glm"})
  void flatTreesScoreExactlyLikeH2OGenmodel(String kind) {
    MojoModel mojo = H2OModels.get(kind);
    boolean flat = TreeShapProbe.scoredByFlatForest(mojo);
    assertEquals(!kind.equals("glm"), flat, kind + ": flat forest used");
    Dataset<Row> data = kind.endsWith("_reg") ? H2OModels.diamondsH2OColumns()
        : kind.endsWith("_multi") ? H2OModels.penguins() : H2OModels.lendingClubH2OColumns();
    FeatureBinding binding = FeatureBinding.bind(data.schema(), mojo);
    List<InternalRow> rows = data.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).collect();
    RowScorer scorer = TreeShapProbe.flatScorer(mojo, binding);
    double[] row = new double[Math.max(mojo.genModel().getNames().length, mojo.genModel().nfeatures())];
    int i = 0;
    for (InternalRow in : rows) {
      binding.fill(in, row);
      double[] expected = mojo.genModel().score0(row.clone(), new double[scorer.predsSize()]);
      assertArrayEquals(expected, scorer.score(in).clone(), 0.0);
      // The same row with some features missing (NaN: a null number, or a null / unseen level) takes the
      // splits' NA directions.
      for (int f = i++ % 3; f < mojo.features().length; f += 3) row[f] = Double.NaN;
      double[] expectedNa = mojo.genModel().score0(row.clone(), new double[scorer.predsSize()]);
      assertArrayEquals(expectedNa, scorer.score(row).clone(), 0.0);
    }
    assertTrue(rows.size() >= (kind.endsWith("_multi") ? 300 : 2000), "all rows: " + rows.size());
  }
}
