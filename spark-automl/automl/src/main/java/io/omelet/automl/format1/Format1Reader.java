package io.omelet.automl.format1;

import io.omelet.automl.AutoMLResult;
import io.omelet.automl.MojoZip;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the result of an AutoML model saved in format 1 (Omelet 0.1 before the JSON format: one
 * Java-serialized {@code data/result.ser}). Only Omelet's own result records, Java's collections and
 * boxed values are let in (an {@link ObjectInputFilter}), so a file on shared storage cannot make
 * this reader build any other class.
 */
public final class Format1Reader {
  static final ObjectInputFilter ALLOWED = ObjectInputFilter.Config.createFilter(
      "maxdepth=20;maxrefs=1000000;io.omelet.automl.*;io.omelet.automl.metrics.*;io.omelet.automl.format1.*;"
          + "java.util.*;java.lang.String;java.lang.Number;java.lang.Double;java.lang.Long;java.lang.Integer;"
          + "java.lang.Boolean;java.lang.Enum;java.lang.Object;!*"); // Object: the element type of the arrays Java's immutable lists are written as

  private Format1Reader() {}

  /** The result in {@code in} (the stream of a format-1 {@code result.ser}). */
  public static AutoMLResult read(InputStream in) throws IOException {
    Format1Stream objects = new Format1Stream(in);
    try (objects) {
      Object o = objects.readObject();
      if (!(o instanceof AutoMLResult old)) {
        throw new InvalidClassException("expected an AutoML result, found " + (o == null ? "null" : o.getClass().getName()));
      }
      List<io.omelet.automl.ModelResult> models = new ArrayList<>();
      for (Object m : old.models()) {
        ModelResult r = (ModelResult) m;
        models.add(new io.omelet.automl.ModelResult(r.modelId(), r.algo(), r.rank(), -1, r.params(),
            r.leaderboardMetrics(), r.crossValidationMetrics(), r.trainingMetrics(), r.holdout(),
            r.variableImportance(), r.trainingTimeMs(), r.predictTimePerRowMs(), MojoZip.of(r.mojo()), r.error()));
      }
      return new AutoMLResult(old.projectName(), old.info(), old.sortMetric(), List.copyOf(models),
          null, "saved before refitting existed", old.engineMessages(), old.durationMs());
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new InvalidClassException("not a format-1 AutoML result: " + e);
    } catch (java.io.InvalidClassException e) {
      if (objects.refused != null) throw new InvalidClassException("refused class " + objects.refused + " (" + e.getMessage() + ")");
      throw e;
    }
  }

  /** Maps the old ModelResult to its stand-in; everything else resolves as usual, through the filter. */
  private static final class Format1Stream extends ObjectInputStream {
    /** What the filter refused, for the error message. */
    String refused;

    Format1Stream(InputStream in) throws IOException {
      super(in);
      setObjectInputFilter(info -> {
        ObjectInputFilter.Status s = ALLOWED.checkInput(info);
        if (s == ObjectInputFilter.Status.REJECTED && refused == null) {
          refused = info.serialClass() != null ? info.serialClass().getName()
              : "(depth " + info.depth() + ", references " + info.references() + ", array " + info.arrayLength() + ")";
        }
        return s;
      });
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      if (desc.getName().equals("io.omelet.automl.ModelResult")) return ModelResult.class;
      if (desc.getName().equals("io.omelet.automl.AutoMLSettings")) return AutoMLSettings.class;
      return super.resolveClass(desc);
    }
  }
}
