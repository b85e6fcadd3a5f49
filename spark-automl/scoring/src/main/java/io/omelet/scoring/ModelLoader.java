package io.omelet.scoring;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegistryException;
import io.omelet.registry.ResolvedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Resolves a model URI ({@code name@alias}, {@code name/version}, {@code runs:/<id>/<path>}) to
 * its MOJO. Each call resolves the URI anew, so an alias that moved is seen. The MOJO bytes of a
 * registered version are kept in the {@link ModelCache} by location, since a version's files never
 * change; a run's artifact ({@code runs:/}) can be overwritten, so it is read on every call and
 * only its loaded model is shared, by the content hash of the bytes read.
 */
public final class ModelLoader {

  private ModelLoader() {}

  /**
   * Resolves {@code uri} and loads its MOJO. Fails with the registry's message (naming the model,
   * alias or version that does not exist) or with one naming the location that holds no MOJO.
   */
  public static LoadedModel load(OmeletRegistry registry, String uri) {
    ResolvedModel resolved;
    try {
      resolved = registry.resolveModel(uri);
    } catch (RegistryException e) {
      throw new IllegalArgumentException("cannot resolve model '" + uri + "': " + e.getMessage(), e);
    }
    Configuration conf = registry.spark().sparkContext().hadoopConfiguration();
    String location = resolved.location();
    MojoModel mojo = resolved.version() == null ? read(conf, uri, location)
        : ModelCache.SHARED.get("version-mojo:" + location, () -> read(conf, uri, location), MojoModel::size);
    return new LoadedModel(resolved, mojo);
  }

  private static MojoModel read(Configuration conf, String uri, String location) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p)) {
        throw new IllegalArgumentException("model '" + uri + "': nothing at " + location);
      }
      if (fs.getFileStatus(p).isDirectory()) p = zipIn(fs, p, uri);
      try (InputStream in = fs.open(p)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return MojoModel.of(out.toByteArray());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("model '" + uri + "': cannot read " + location + ": " + e, e);
    }
  }

  /** A folder artifact (e.g. {@code runs:/<id>/model}) holds the MOJO as its one zip. */
  private static Path zipIn(FileSystem fs, Path dir, String uri) throws IOException {
    Path found = null;
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.isFile() && s.getPath().getName().endsWith(".zip")) {
        if (found != null) {
          throw new IllegalArgumentException("model '" + uri + "': " + dir
              + " holds more than one zip; name the MOJO file in the URI");
        }
        found = s.getPath();
      }
    }
    if (found == null) {
      if (SparkMlModels.isSparkMl(fs.getConf(), dir.toString())) {
        throw new IllegalArgumentException("model '" + uri + "' is a Spark ML model ("
            + SparkMlModels.className(fs.getConf(), dir.toString()) + "), not an H2O MOJO: score it with 'omelet predict'"
            + " or load it with its class's load(path) and transform a DataFrame");
      }
      throw new IllegalArgumentException("model '" + uri + "': " + dir + " holds no MOJO zip");
    }
    return found;
  }
}
