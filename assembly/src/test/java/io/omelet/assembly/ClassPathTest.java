package io.omelet.assembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.maven.artifact.versioning.ComparableVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every class path users load Omelet by carries Spark's own logging stack (one slf4j-api, of
 * Spark's version; Log4j 2 through log4j-slf4j2-impl; no slf4j 1.x binding, Log4j 1 or Logback)
 * and no older copy of a library Spark ships. Spark's side is a SPARK_HOME of Spark's closure
 * resolved on its own (src/it/spark-home). The three ways: the Zeppelin interpreter archive, the
 * class path of {@code bin/omelet}, and the cluster jar under {@code spark-submit}.
 *
 * <p>Why: an slf4j-api 1.7 brought in by a test library once reached the interpreter folder; slf4j
 * then bound to a log4j-1.2 MDC adapter that cannot work with Log4j 2's bridge, every Spark task
 * thread died at start, and a Zeppelin paragraph spun forever.
 */
class ClassPathTest {
  /** slf4j 1.x bindings and the loggers Spark 3.5 does not use, by artifact id. */
  static final Set<String> FOREIGN_LOGGING = Set.of("slf4j-log4j12", "slf4j-reload4j", "slf4j-simple",
      "slf4j-jdk14", "slf4j-nop", "log4j-slf4j-impl", "log4j", "reload4j", "logback-classic", "logback-core");
  static final Pattern JAR_NAME = Pattern.compile("(.+?)-(\\d[^/]*)\\.jar");

  static Path sparkJars;
  /** Spark's jars: artifact id to version. */
  static Map<String, String> spark;
  static Path pluginTarget;

  @BeforeAll
  static void sparkHome() throws IOException {
    sparkJars = Path.of(System.getProperty("omelet.spark.home")).resolve("jars");
    assertTrue(Files.isDirectory(sparkJars), "no SPARK_HOME at " + sparkJars);
    spark = artifacts(listJars(sparkJars));
    assertTrue(spark.containsKey("slf4j-api") && spark.containsKey("log4j-slf4j2-impl"), "Spark's logging: " + spark);
    pluginTarget = Path.of(System.getProperty("omelet.repo.dir", "..")).resolve("interpreter-plugin/target");
  }

  @Test
  void theZeppelinArchiveHasSparksLogging() throws Exception {
    Path archive;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(pluginTarget, "omelet-zeppelin-*.tar.gz")) {
      archive = ds.iterator().next();
    }
    Path unpacked = Path.of("target/classpath-test/zeppelin");
    deleteTree(unpacked);
    Files.createDirectories(unpacked);
    Process tar = new ProcessBuilder("tar", "xzf", archive.toAbsolutePath().toString(), "-C", unpacked.toString())
        .inheritIO().start();
    assertTrue(tar.waitFor(5, TimeUnit.MINUTES) && tar.exitValue() == 0, "unpacked " + archive);
    List<Path> jars = listJars(unpacked.resolve("omelet"));
    assertTrue(jars.size() > 100, "the interpreter folder: " + jars);
    checkJars("the Zeppelin archive " + archive.getFileName(), jars);
    deleteTree(unpacked);
  }

  @Test
  void binOmeletsClassPathHasSparksLogging() throws Exception {
    String cp = Files.readString(pluginTarget.resolve("classpath.txt")).trim();
    List<Path> jars = new ArrayList<>();
    for (String e : cp.split(":")) if (e.endsWith(".jar")) jars.add(Path.of(e));
    checkJars("bin/omelet's class path (interpreter-plugin/target/classpath.txt)", jars);
  }

  /**
   * The cluster jar leaves logging to the cluster and holds no class of a jar Spark ships: such a
   * copy is either shadowed by Spark's (and then untested) or shadows it (and then downgrades it).
   */
  @Test
  void theClusterJarLeavesLoggingAndSparksLibrariesToTheCluster() throws Exception {
    Path jar = Path.of(System.getProperty("omelet.assembly.jar"));
    Set<String> sparkClasses = new HashSet<>();
    Map<String, String> owner = new TreeMap<>();
    for (Path j : listJars(sparkJars)) {
      for (String c : classes(j)) {
        sparkClasses.add(c);
        owner.putIfAbsent(c, j.getFileName().toString());
      }
    }
    List<String> logging = new ArrayList<>();
    Map<String, Integer> copies = new TreeMap<>();
    for (String c : classes(jar)) {
      if (c.startsWith("org/slf4j/") || c.startsWith("org/apache/logging/") || c.startsWith("ch/qos/")) logging.add(c);
      if (sparkClasses.contains(c)) copies.merge(owner.get(c), 1, Integer::sum);
    }
    assertTrue(logging.isEmpty(), "logging classes in the cluster jar: " + logging.subList(0, Math.min(10, logging.size())));
    assertTrue(copies.isEmpty(), "the cluster jar copies classes of Spark's own jars (jar: classes): " + copies);
  }

  /** The checks shared by every class path given as a list of jars. */
  static void checkJars(String what, List<Path> jars) throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> slf4jApis = new ArrayList<>();
    boolean sparkBinding = false;
    for (Path j : jars) {
      try (ZipFile z = new ZipFile(j.toFile())) {
        JarId id = JarId.of(z, j.getFileName().toString());
        if (id.artifact().equals("slf4j-api")) slf4jApis.add(id.version());
        sparkBinding |= id.artifact().equals("log4j-slf4j2-impl");
        if (FOREIGN_LOGGING.contains(id.artifact())) problems.add("a logging jar Spark does not use: " + j.getFileName());
        String sparks = spark.get(id.artifact());
        if (sparks != null && new ComparableVersion(id.version()).compareTo(new ComparableVersion(sparks)) < 0) {
          problems.add(j.getFileName() + " is older than Spark's " + id.artifact() + " " + sparks);
        }
        // an slf4j 1.x binding can also hide inside another jar
        if (z.getEntry("org/slf4j/impl/StaticLoggerBinder.class") != null) {
          problems.add(j.getFileName() + " holds an slf4j 1.x binding (org.slf4j.impl.StaticLoggerBinder)");
        }
      }
    }
    if (!slf4jApis.equals(List.of(spark.get("slf4j-api")))) {
      problems.add("slf4j-api versions " + slf4jApis + ", where Spark has one, " + spark.get("slf4j-api"));
    }
    if (!sparkBinding) problems.add("no log4j-slf4j2-impl (Spark's slf4j binding)");
    assertEquals(List.of(), problems, what + " (" + jars.size() + " jars)");
  }

  /**
   * A jar's Maven artifact id and version: from the pom.properties inside it that names the file
   * ({@code artifactId-version[-classifier].jar}, as Maven copies jars), else from the name alone.
   */
  record JarId(String artifact, String version) {
    static JarId of(Path jar) throws IOException {
      try (ZipFile z = new ZipFile(jar.toFile())) {
        return of(z, jar.getFileName().toString());
      }
    }

    static JarId of(ZipFile z, String name) throws IOException {
      for (ZipEntry e : z.stream().filter(e -> e.getName().startsWith("META-INF/maven/")
          && e.getName().endsWith("/pom.properties")).collect(Collectors.toList())) {
        Properties p = new Properties();
        try (var in = z.getInputStream(e)) {
          p.load(in);
        }
        String a = p.getProperty("artifactId");
        String v = p.getProperty("version");
        if (a != null && v != null && (name.equals(a + "-" + v + ".jar") || name.startsWith(a + "-" + v + "-"))) {
          return new JarId(a, v);
        }
      }
      Matcher m = JAR_NAME.matcher(name);
      return m.matches() ? new JarId(m.group(1), m.group(2)) : new JarId(name, "0");
    }
  }

  /** artifact id to version (the newest, where classifiers make several jars of one artifact). */
  static Map<String, String> artifacts(List<Path> jars) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (Path j : jars) {
      JarId id = JarId.of(j);
      out.merge(id.artifact(), id.version(),
          (a, b) -> new ComparableVersion(a).compareTo(new ComparableVersion(b)) >= 0 ? a : b);
    }
    return out;
  }

  static List<String> classes(Path jar) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      return z.stream().map(ZipEntry::getName)
          .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && !n.endsWith("module-info.class"))
          .collect(Collectors.toList());
    }
  }

  static List<Path> listJars(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().collect(Collectors.toList());
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
