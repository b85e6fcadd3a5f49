package io.omelet.zeppelin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Starts a real, headless Apache Zeppelin 0.10.0 server (a child JVM) from the server's jars,
 * installs interpreter folders into its home, and drives it through Zeppelin's REST API.
 *
 * <p>Typical use:
 * <pre>{@code
 * try (ZeppelinServerHarness zeppelin = ZeppelinServerHarness.start(home, serverLib,
 *         Map.of("omelet", interpreterDir), List.of("-Xmx1g"))) {
 *   String noteId = zeppelin.importNote(Path.of("src/test/resources/smoke.zpln"));
 *   List<ParagraphResult> results = zeppelin.runNote(noteId, Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * <p>What {@link #start} does:
 * <ol>
 *   <li>lays out {@code home}: {@code conf/log4j.properties}, {@code web-empty/index.html},
 *       {@code notebook/}, {@code logs/}, {@code local-repo/}, {@code interpreter/<name>/} (one
 *       symbolic link per file of each given interpreter folder, copies where links fail) and
 *       {@code bin/interpreter.sh}, the harness's own launcher for interpreter JVMs;</li>
 *   <li>starts {@code org.apache.zeppelin.server.ZeppelinServer} on a free loopback port, with
 *       every {@code ZEPPELIN_*} variable of this process removed from its environment
 *       (Zeppelin prefers environment variables over {@code -D} properties) and
 *       {@code ZEPPELIN_IDENT_STRING} set (without it the server waits on stdin and exits);</li>
 *   <li>waits until {@code GET /api/version} answers.</li>
 * </ol>
 *
 * <p>{@code home} is scratch space owned by the harness: it must be empty, missing, or a home
 * that the harness made before (it then wipes it). Logs: {@code home/logs/zeppelin-server.log}
 * (server log4j), {@code home/logs/zeppelin-server.out} (server stdout/stderr) and
 * {@code home/logs/zeppelin-interpreter-<groupId>.log} (each interpreter JVM).
 *
 * <p>{@link #close()} stops the server (SIGTERM: its shutdown hook stops interpreter
 * processes), then kills any process of the server's tree that is still alive, so no
 * interpreter JVM is left behind. A JVM shutdown hook does the same if a test forgets.
 *
 * <p>Self-contained on purpose (JDK + Jackson only, no Zeppelin class in the test JVM) so that a
 * module can copy this one file.
 */
public final class ZeppelinServerHarness implements AutoCloseable {

  /** One result message of a paragraph: Zeppelin's type (TEXT, TABLE, HTML, ...) and data. */
  public record Message(String type, String data) {}

  /**
   * What one paragraph did.
   *
   * @param status    Zeppelin's status: FINISHED, ERROR, ABORT, or READY when not run
   * @param elapsedMs wall-clock time of the run as seen by the harness (-1 when not run)
   * @param error     Zeppelin's error message, or the text of the result when not FINISHED;
   *                  null when FINISHED
   */
  public record ParagraphResult(String paragraphId, String title, String text, String status,
                                List<Message> messages, long elapsedMs, String error) {
    public boolean finished() {
      return "FINISHED".equals(status);
    }

    /** The data of every message of the given type (TEXT, TABLE, HTML...), in order. */
    public List<String> data(String type) {
      return messages.stream().filter(m -> m.type().equals(type)).map(Message::data)
          .collect(Collectors.toList());
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append(paragraphId).append(' ').append(status).append(' ').append(elapsedMs).append(" ms");
      for (Message m : messages) {
        sb.append("\n  [").append(m.type()).append("] ").append(m.data().strip());
      }
      if (error != null) {
        sb.append("\n  error: ").append(error.strip());
      }
      return sb.toString();
    }
  }

  /**
   * Everything {@link #start(Config)} needs. Build with {@link #config} and the {@code with}
   * methods.
   *
   * @param interpreterApiClasspath jars or folders (a folder means all its jars) put on every
   *        interpreter JVM's classpath after the interpreter folder's own jars: the role of
   *        {@code interpreter/zeppelin-interpreter-shaded-*.jar} in a distribution. Empty: the
   *        server's lib folder (works, but puts all server jars behind the interpreter's).
   */
  public record Config(Path home, Path serverLibDir, Map<String, Path> interpreterDirs,
                       List<String> interpreterJvmArgs, List<Path> interpreterApiClasspath,
                       List<String> serverJvmArgs, Map<String, String> serverProperties,
                       Duration startTimeout, Duration interpreterConnectTimeout) {

    public Config withInterpreterApiClasspath(List<Path> entries) {
      return new Config(home, serverLibDir, interpreterDirs, interpreterJvmArgs, List.copyOf(entries),
          serverJvmArgs, serverProperties, startTimeout, interpreterConnectTimeout);
    }

    public Config withServerJvmArgs(List<String> args) {
      return new Config(home, serverLibDir, interpreterDirs, interpreterJvmArgs,
          interpreterApiClasspath, List.copyOf(args), serverProperties, startTimeout,
          interpreterConnectTimeout);
    }

    /** Extra {@code -D} properties for the server (zeppelin-site names), added after the defaults. */
    public Config withServerProperties(Map<String, String> props) {
      return new Config(home, serverLibDir, interpreterDirs, interpreterJvmArgs,
          interpreterApiClasspath, serverJvmArgs, Map.copyOf(props), startTimeout,
          interpreterConnectTimeout);
    }

    public Config withStartTimeout(Duration timeout) {
      return new Config(home, serverLibDir, interpreterDirs, interpreterJvmArgs,
          interpreterApiClasspath, serverJvmArgs, serverProperties, timeout,
          interpreterConnectTimeout);
    }

    public Config withInterpreterConnectTimeout(Duration timeout) {
      return new Config(home, serverLibDir, interpreterDirs, interpreterJvmArgs,
          interpreterApiClasspath, serverJvmArgs, serverProperties, startTimeout, timeout);
    }
  }

  /** The {@code --add-opens} set the project uses on Java 17 (Spark needs all of them). */
  public static final List<String> JAVA17_ADD_OPENS = List.of(
      "java.base/java.lang", "java.base/java.lang.invoke", "java.base/java.lang.reflect",
      "java.base/java.io", "java.base/java.net", "java.base/java.nio", "java.base/java.util",
      "java.base/java.util.concurrent", "java.base/java.util.concurrent.atomic",
      "java.base/sun.nio.ch", "java.base/sun.nio.cs", "java.base/sun.security.action",
      "java.base/sun.util.calendar").stream()
      .map(p -> "--add-opens=" + p + "=ALL-UNNAMED").collect(Collectors.toUnmodifiableList());

  private static final String HOME_MARKER = ".omelet-zeppelin-home";
  private static final String SERVER_MAIN = "org.apache.zeppelin.server.ZeppelinServer";
  private static final String INTERPRETER_MAIN =
      "org.apache.zeppelin.interpreter.remote.RemoteInterpreterServer";
  private static final Set<String> TERMINAL = Set.of("FINISHED", "ERROR", "ABORT");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Config config;
  private final Path home;
  private final int port;
  private final Process server;
  private final HttpClient http;
  private final Thread shutdownHook;
  private final long startMillis;
  private volatile long startupMillis = -1;
  private volatile boolean closed;

  private ZeppelinServerHarness(Config config, int port, Process server, long startMillis) {
    this.config = config;
    this.home = config.home();
    this.port = port;
    this.server = server;
    this.startMillis = startMillis;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1).build();
    this.shutdownHook = new Thread(this::stopProcesses, "zeppelin-harness-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  // ---------------------------------------------------------------------------- start / config

  /** A config with the defaults: 3 min to start, 2 min for an interpreter JVM to connect. */
  public static Config config(Path home, Path serverLibDir, Map<String, Path> interpreterDirs,
                              List<String> interpreterJvmArgs) {
    return new Config(home.toAbsolutePath().normalize(), serverLibDir.toAbsolutePath().normalize(),
        Map.copyOf(interpreterDirs), List.copyOf(interpreterJvmArgs), List.of(),
        List.of(), Map.of(), Duration.ofMinutes(3), Duration.ofMinutes(2));
  }

  /** Assembles {@code home}, starts the server and waits for its REST API. */
  public static ZeppelinServerHarness start(Path home, Path serverLibDir,
                                            Map<String, Path> interpreterDirs,
                                            List<String> interpreterJvmArgs)
      throws IOException, InterruptedException {
    return start(config(home, serverLibDir, interpreterDirs, interpreterJvmArgs));
  }

  public static ZeppelinServerHarness start(Config config) throws IOException, InterruptedException {
    if (listJars(config.serverLibDir()).stream()
        .noneMatch(j -> j.getFileName().toString().startsWith("zeppelin-server-"))) {
      throw new IllegalArgumentException("no zeppelin-server jar in " + config.serverLibDir());
    }
    long t0 = System.currentTimeMillis();
    assembleHome(config);
    int port = freeLoopbackPort();
    Process process = launchServer(config, port);
    ZeppelinServerHarness harness = new ZeppelinServerHarness(config, port, process, t0);
    try {
      harness.awaitRest(config.startTimeout());
    } catch (IOException | InterruptedException | RuntimeException e) {
      harness.close();
      throw e;
    }
    return harness;
  }

  /** Base URL of the server, e.g. {@code http://127.0.0.1:41234}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public Path home() {
    return home;
  }

  public Path serverLog() {
    return home.resolve("logs/zeppelin-server.log");
  }

  /** Milliseconds from {@link #start} being called to the REST API answering. */
  public long startupMillis() {
    return startupMillis;
  }

  // ------------------------------------------------------------------------------- home layout

  private static void assembleHome(Config c) throws IOException {
    Path home = c.home();
    if (Files.exists(home)) {
      boolean ours = Files.exists(home.resolve(HOME_MARKER));
      boolean empty;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(home)) {
        empty = !ds.iterator().hasNext();
      }
      if (!ours && !empty) {
        throw new IOException(home + " is neither empty nor a home made by this harness");
      }
      deleteTree(home);
    }
    for (String dir : List.of("conf", "web-empty", "notebook", "logs", "local-repo", "run",
        "interpreter", "bin")) {
      Files.createDirectories(home.resolve(dir));
    }
    Files.writeString(home.resolve(HOME_MARKER), "made by ZeppelinServerHarness\n");
    Files.writeString(home.resolve("web-empty/index.html"),
        "<html><body>headless Zeppelin (test harness)</body></html>\n");
    Files.writeString(home.resolve("conf/log4j.properties"), LOG4J);

    for (Map.Entry<String, Path> e : c.interpreterDirs().entrySet()) {
      installInterpreterDir(home.resolve("interpreter").resolve(e.getKey()), e.getValue());
    }
    Path script = home.resolve("bin/interpreter.sh");
    Files.writeString(script, interpreterScript(c));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * Links (or copies) every regular file of {@code source} into {@code target}. Zeppelin passes
   * {@code interpreter/<group>} to the launcher, so the folder name should be the group name of
   * its interpreter-setting.json.
   */
  private static void installInterpreterDir(Path target, Path source) throws IOException {
    if (!Files.isDirectory(source)) {
      throw new IOException("interpreter folder " + source + " does not exist");
    }
    Files.createDirectories(target);
    boolean hasSetting = false;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(source)) {
      for (Path f : ds) {
        if (!Files.isRegularFile(f)) {
          continue;
        }
        String name = f.getFileName().toString();
        hasSetting |= name.equals("interpreter-setting.json");
        Path dest = target.resolve(name);
        try {
          Files.createSymbolicLink(dest, f.toAbsolutePath());
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    if (!hasSetting) {
      extractSettingFromJars(target);
    }
  }

  /**
   * Many interpreters ship their interpreter-setting.json inside their jar. Zeppelin finds it
   * there too, but a file next to the jars is what a distribution has and is easier to read.
   */
  private static void extractSettingFromJars(Path dir) throws IOException {
    for (Path jar : listJars(dir)) {
      try (JarFile jf = new JarFile(jar.toFile())) {
        ZipEntry entry = jf.getEntry("interpreter-setting.json");
        if (entry != null) {
          try (InputStream in = jf.getInputStream(entry)) {
            Files.copy(in, dir.resolve("interpreter-setting.json"));
          }
          return;
        }
      }
    }
  }

  /** The launcher Zeppelin calls as {@code bin/interpreter.sh -d dir -c host -p port ...}. */
  private static String interpreterScript(Config c) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Path> api = c.interpreterApiClasspath().isEmpty()
        ? List.of(c.serverLibDir()) : c.interpreterApiClasspath();
    String apiCp = api.stream()
        .map(p -> Files.isDirectory(p) ? p.toAbsolutePath() + "/*" : p.toAbsolutePath().toString())
        .collect(Collectors.joining(":"));
    List<String> jvm = new ArrayList<>(JAVA17_ADD_OPENS);
    jvm.add("-Xmx512m");
    jvm.add("-Dfile.encoding=UTF-8");
    jvm.addAll(c.interpreterJvmArgs());
    String jvmArgs = jvm.stream().map(ZeppelinServerHarness::shellQuote)
        .collect(Collectors.joining(" \\\n  "));
    return "#!/usr/bin/env bash\n"
        + "# Written by ZeppelinServerHarness (Omelet tests): a minimal stand-in for the launcher of\n"
        + "# a Zeppelin distribution. Zeppelin calls it as\n"
        + "#   interpreter.sh -d <intpDir> -c <callbackHost> -p <callbackPort> -r <portRange>\n"
        + "#                  -i <groupId> [-u <user>] -l <localRepo> -g <settingName>\n"
        + "# and waits for the JVM it starts to register back on the callback port.\n"
        + "set -eu\n"
        + "ZHOME=" + shellQuote(c.home().toString()) + "\n"
        + "JAVA=" + shellQuote(java) + "\n"
        + "INTP_DIR= CB_HOST= CB_PORT= PORT_RANGE=: GROUP_ID= LOCAL_REPO=\"$ZHOME/local-repo\" SETTING=\n"
        + "while getopts \":d:c:p:r:i:u:l:g:\" opt; do\n"
        + "  case \"$opt\" in\n"
        + "    d) INTP_DIR=\"$OPTARG\" ;;\n"
        + "    c) CB_HOST=\"$OPTARG\" ;;\n"
        + "    p) CB_PORT=\"$OPTARG\" ;;\n"
        + "    r) PORT_RANGE=\"$OPTARG\" ;;\n"
        + "    i) GROUP_ID=\"$OPTARG\" ;;\n"
        + "    l) LOCAL_REPO=\"$OPTARG\" ;;\n"
        + "    g) SETTING=\"$OPTARG\" ;;\n"
        + "    *) ;;\n"
        + "  esac\n"
        + "done\n"
        + "if [ ! -d \"$INTP_DIR\" ]; then\n"
        + "  echo \"[ERROR] interpreter folder $INTP_DIR not found (the folder must be named like the group)\" >&2\n"
        + "  exit 2\n"
        + "fi\n"
        + "mkdir -p \"$LOCAL_REPO\"\n"
        + "# the interpreter's own jars first, then jars Zeppelin downloaded for it, then the API\n"
        + "CP=\"$INTP_DIR/*:$LOCAL_REPO/*:" + apiCp.replace("\"", "\\\"") + "\"\n"
        + "# per-setting extra options: a property ZEPPELIN_INTP_JAVA_OPTS of the interpreter\n"
        + "# setting reaches this script as an environment variable\n"
        + "read -r -a EXTRA_OPTS <<< \"${ZEPPELIN_INTP_JAVA_OPTS:-}\"\n"
        + "LOG=\"$ZHOME/logs/zeppelin-interpreter-$GROUP_ID.log\"\n"
        + "echo \"[INFO] harness launcher: group $GROUP_ID, setting $SETTING, folder $INTP_DIR, log $LOG\"\n"
        + "# stdout/stderr of the JVM (uncaught exceptions of Thrift worker threads end up there)\n"
        + "# go to a file: Zeppelin itself would log them only at DEBUG level\n"
        + "exec \"$JAVA\" \\\n  " + jvmArgs + " \\\n"
        + "  ${EXTRA_OPTS[@]+\"${EXTRA_OPTS[@]}\"} \\\n"
        + "  -Dzeppelin.log.file=\"$LOG\" \\\n"
        + "  -Dlog4j.configuration=\"file:$ZHOME/conf/log4j.properties\" \\\n"
        + "  -cp \"$CP\" " + INTERPRETER_MAIN
        + " \"$CB_HOST\" \"$CB_PORT\" \"$GROUP_ID\" \"$PORT_RANGE\" \\\n"
        + "  >>\"$ZHOME/logs/zeppelin-interpreter-$GROUP_ID.out\" 2>&1\n";
  }

  private static final String LOG4J = String.join("\n",
      "# written by ZeppelinServerHarness; zeppelin.log.file is set per JVM",
      "log4j.rootLogger=INFO, file",
      "log4j.appender.file=org.apache.log4j.FileAppender",
      "log4j.appender.file.File=${zeppelin.log.file}",
      "log4j.appender.file.Append=true",
      "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
      "log4j.appender.file.layout.ConversionPattern=%5p [%d{HH:mm:ss,SSS}] ({%t} %c{1}:%L) - %m%n",
      "log4j.logger.org.eclipse.jetty=WARN",
      "log4j.logger.org.glassfish=WARN",
      "log4j.logger.org.apache.thrift=WARN",
      "");

  // ---------------------------------------------------------------------------- server process

  private static Process launchServer(Config c, int port) throws IOException {
    Path home = c.home();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Map<String, String> props = new LinkedHashMap<>();
    props.put("zeppelin.home", home.toString());
    props.put("zeppelin.server.addr", "127.0.0.1");
    props.put("zeppelin.server.port", String.valueOf(port));
    props.put("zeppelin.war", home.resolve("web-empty").toString());
    props.put("zeppelin.angular.war", home.resolve("web-empty").toString());
    props.put("zeppelin.conf.dir", home.resolve("conf").toString());
    props.put("zeppelin.notebook.dir", home.resolve("notebook").toString());
    props.put("zeppelin.interpreter.dir", home.resolve("interpreter").toString());
    props.put("zeppelin.interpreter.localRepo", home.resolve("local-repo").toString());
    props.put("zeppelin.interpreter.remoterunner", home.resolve("bin/interpreter.sh").toString());
    props.put("zeppelin.interpreter.connect.timeout",
        String.valueOf(c.interpreterConnectTimeout().toMillis()));
    // plain files instead of a git repository in notebook/; no Lucene index in /tmp
    props.put("zeppelin.notebook.storage", "org.apache.zeppelin.notebook.repo.VFSNotebookRepo");
    props.put("zeppelin.search.enable", "false");
    // only the local helium registry: the default also fetches a list over the internet
    props.put("zeppelin.helium.registry", "helium");
    props.put("zeppelin.log.file", home.resolve("logs/zeppelin-server.log").toString());
    props.put("log4j.configuration", "file:" + home.resolve("conf/log4j.properties"));
    props.put("file.encoding", "UTF-8");
    props.putAll(c.serverProperties());

    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx512m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(JAVA17_ADD_OPENS);
    cmd.addAll(c.serverJvmArgs());
    props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(c.serverLibDir() + "/*");
    cmd.add(SERVER_MAIN);

    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
    Map<String, String> env = pb.environment();
    // ZeppelinConfiguration reads ZEPPELIN_PORT, ZEPPELIN_HOME, ... before -D properties
    env.keySet().removeIf(k -> k.startsWith("ZEPPELIN_"));
    env.put("ZEPPELIN_IDENT_STRING", "omelet-it");      // else main() blocks on stdin, then exits
    env.put("ZEPPELIN_LOCAL_IP", "127.0.0.1");           // callback and interpreter host: loopback
    env.put("ZEPPELIN_HOME", home.toString());
    env.put("ZEPPELIN_CONF_DIR", home.resolve("conf").toString());
    env.put("ZEPPELIN_LOG_DIR", home.resolve("logs").toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(home.resolve("logs/zeppelin-server.out").toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Files.writeString(home.resolve("logs/server-command.txt"), String.join("\n", cmd) + "\n");
    return pb.start();
  }

  private void awaitRest(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IOException("Zeppelin server exited with " + server.exitValue() + "\n"
            + tail(home.resolve("logs/zeppelin-server.out"), 40) + "\n" + tail(serverLog(), 40));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/version"))
            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          startupMillis = System.currentTimeMillis() - startMillis;
          return;
        }
      } catch (IOException notYet) {
        // connection refused while Jetty starts
      }
      Thread.sleep(250);
    }
    throw new IOException("Zeppelin REST API did not answer within " + timeout + "\n"
        + tail(serverLog(), 40));
  }

  // ------------------------------------------------------------------------------------- notes

  /** Imports a {@code .zpln} (note JSON) file; the note gets the name stored in the file. */
  public String importNote(Path zpln) throws IOException, InterruptedException {
    return importNote(zpln, null);
  }

  /**
   * Imports a {@code .zpln} file under the given note path (e.g. {@code /it/smoke-1}); a
   * second import under an existing path fails, so tests that import twice pass a new path.
   */
  public String importNote(Path zpln, String notePath) throws IOException, InterruptedException {
    String query = notePath == null ? ""
        : "?notePath=" + URLEncoder.encode(notePath, StandardCharsets.UTF_8);
    JsonNode body = call("POST", "/api/notebook/import" + query, Files.readString(zpln),
        Duration.ofSeconds(30));
    return body.asText();
  }

  /** The note as Zeppelin returns it (paragraphs with text, status and results). */
  public JsonNode note(String noteId) throws IOException, InterruptedException {
    return call("GET", "/api/notebook/" + noteId, null, Duration.ofSeconds(30));
  }

  public void deleteNote(String noteId) throws IOException, InterruptedException {
    call("DELETE", "/api/notebook/" + noteId, null, Duration.ofSeconds(30));
  }

  /** Runs every non-empty paragraph in order and stops after the first one not FINISHED. */
  public List<ParagraphResult> runNote(String noteId, Duration timeout)
      throws IOException, InterruptedException {
    return runNote(noteId, timeout, true);
  }

  /**
   * Runs every non-empty paragraph in order with {@code POST /api/notebook/run/{note}/{para}}
   * (synchronous), then reads its status and results with
   * {@code GET /api/notebook/{note}/paragraph/{para}}. A paragraph that outlives the remaining
   * time is cancelled ({@code DELETE /api/notebook/job/{note}/{para}}). Paragraphs after a stop
   * are reported with their current status (usually READY) and elapsed -1.
   */
  public List<ParagraphResult> runNote(String noteId, Duration timeout, boolean stopOnError)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ParagraphResult> results = new ArrayList<>();
    boolean stopped = false;
    for (JsonNode p : note(noteId).path("paragraphs")) {
      String id = p.path("id").asText();
      if (p.path("text").asText("").isBlank()) {
        continue;                       // Zeppelin's "run all" skips empty paragraphs too
      }
      if (stopped) {
        results.add(toResult(p, -1, null));
        continue;
      }
      ParagraphResult r = runParagraph(noteId, id,
          Duration.ofNanos(Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1))));
      results.add(r);
      stopped = stopOnError && !r.finished();
    }
    return results;
  }

  /** Runs one paragraph synchronously and reports it; cancels it after {@code timeout}. */
  public ParagraphResult runParagraph(String noteId, String paragraphId, Duration timeout)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    String timeoutError = null;
    try {
      callRaw("POST", "/api/notebook/run/" + noteId + "/" + paragraphId, "", timeout);
    } catch (HttpTimeoutException e) {
      timeoutError = "timed out after " + timeout.toMillis() + " ms; cancelled";
      call("DELETE", "/api/notebook/job/" + noteId + "/" + paragraphId, null, Duration.ofSeconds(30));
      awaitTerminal(noteId, paragraphId, Duration.ofSeconds(30));
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    JsonNode p = call("GET", "/api/notebook/" + noteId + "/paragraph/" + paragraphId, null,
        Duration.ofSeconds(30));
    return toResult(p, elapsed, timeoutError);
  }

  /**
   * Runs the whole note the way the UI's "run all" does: {@code POST /api/notebook/job/{note}}
   * ({@code blocking=true}, Zeppelin stops at the first failing paragraph), while polling
   * {@code GET /api/notebook/job/{note}} every 100 ms for progress and timing. Elapsed times are
   * therefore accurate to about the poll interval (0 for paragraphs faster than it).
   */
  public List<ParagraphResult> runNoteAsJob(String noteId, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest req = request("POST", "/api/notebook/job/" + noteId + "?blocking=true", "", timeout);
    long t0 = System.nanoTime();
    CompletableFuture<HttpResponse<String>> run =
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    Map<String, Long> firstSeenActive = new LinkedHashMap<>();
    Map<String, Long> firstSeenDone = new LinkedHashMap<>();
    Map<String, String> initial = null;
    String timeoutError = null;
    while (true) {
      boolean done = run.isDone();
      JsonNode job = call("GET", "/api/notebook/job/" + noteId, null, Duration.ofSeconds(30));
      long now = System.nanoTime();
      Map<String, String> statuses = new LinkedHashMap<>();
      for (JsonNode p : job.path("paragraphs")) {
        statuses.put(p.path("id").asText(), p.path("status").asText());
      }
      if (initial == null) {
        initial = statuses;
      }
      for (Map.Entry<String, String> e : statuses.entrySet()) {
        String s = e.getValue();
        if (s.equals("RUNNING") || s.equals("PENDING")) {
          firstSeenActive.putIfAbsent(e.getKey(), now);
        } else if (TERMINAL.contains(s) && firstSeenActive.containsKey(e.getKey())) {
          firstSeenDone.putIfAbsent(e.getKey(), now);
        }
      }
      if (done) {
        break;
      }
      if (now - t0 > timeout.toNanos()) {
        timeoutError = "note timed out after " + timeout.toMillis() + " ms; cancelled";
        call("DELETE", "/api/notebook/job/" + noteId, null, Duration.ofSeconds(30));
        try {
          run.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException ignored) {
          // the blocking call ends when the paragraphs are aborted, or we give up on it
        }
        break;
      }
      Thread.sleep(100);
    }
    if (timeoutError == null) {
      try {
        HttpResponse<String> resp = run.get();
        checkOk("POST", req.uri().getPath(), resp);
      } catch (ExecutionException e) {
        throw new IOException("running note " + noteId + " failed", e.getCause());
      }
    }
    long end = System.nanoTime();
    List<ParagraphResult> results = new ArrayList<>();
    for (JsonNode p : note(noteId).path("paragraphs")) {
      String id = p.path("id").asText();
      if (p.path("text").asText("").isBlank()) {
        continue;
      }
      Long a = firstSeenActive.get(id);
      Long b = firstSeenDone.getOrDefault(id, a == null ? null : end);
      long elapsed = a == null ? (TERMINAL.contains(p.path("status").asText()) ? 0 : -1)
          : TimeUnit.NANOSECONDS.toMillis(b - a);
      boolean ran = a != null || !Objects.equals(initial.get(id), p.path("status").asText());
      results.add(toResult(p, ran ? elapsed : -1,
          timeoutError != null && !"FINISHED".equals(p.path("status").asText()) ? timeoutError : null));
    }
    return results;
  }

  /** Starts one paragraph without waiting ({@code POST /api/notebook/job/{note}/{para}}). */
  public void submitParagraph(String noteId, String paragraphId)
      throws IOException, InterruptedException {
    call("POST", "/api/notebook/job/" + noteId + "/" + paragraphId, "", Duration.ofSeconds(30));
  }

  /** Zeppelin's status of one paragraph (READY, PENDING, RUNNING, FINISHED, ERROR, ABORT). */
  public String paragraphStatus(String noteId, String paragraphId)
      throws IOException, InterruptedException {
    return call("GET", "/api/notebook/job/" + noteId + "/" + paragraphId, null,
        Duration.ofSeconds(30)).path("status").asText();
  }

  /** Cancels a running paragraph ({@code DELETE /api/notebook/job/{note}/{para}}). */
  public void cancelParagraph(String noteId, String paragraphId)
      throws IOException, InterruptedException {
    call("DELETE", "/api/notebook/job/" + noteId + "/" + paragraphId, null, Duration.ofSeconds(30));
  }

  /** Polls until the paragraph has the wanted status or one of FINISHED/ERROR/ABORT. */
  public String awaitStatus(String noteId, String paragraphId, String wanted, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String s = paragraphStatus(noteId, paragraphId);
    while (!s.equals(wanted) && !TERMINAL.contains(s) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      s = paragraphStatus(noteId, paragraphId);
    }
    return s;
  }

  private void awaitTerminal(String noteId, String paragraphId, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode p = call("GET", "/api/notebook/job/" + noteId + "/" + paragraphId, null,
          Duration.ofSeconds(30));
      if (TERMINAL.contains(p.path("status").asText())) {
        return;
      }
      Thread.sleep(200);
    }
  }

  private static ParagraphResult toResult(JsonNode p, long elapsedMs, String extraError) {
    String status = p.path("status").asText("READY");
    List<Message> messages = new ArrayList<>();
    for (JsonNode m : p.path("results").path("msg")) {
      messages.add(new Message(m.path("type").asText(), m.path("data").asText("")));
    }
    String error = null;
    if (!"FINISHED".equals(status) && elapsedMs >= 0) {
      String em = p.path("errorMessage").asText("");
      error = !em.isBlank() ? em
          : messages.stream().map(Message::data).collect(Collectors.joining("\n"));
    }
    if (extraError != null) {
      error = error == null || error.isBlank() ? extraError : extraError + "\n" + error;
    }
    return new ParagraphResult(p.path("id").asText(), p.path("title").asText(null),
        p.path("text").asText(""), status, List.copyOf(messages), elapsedMs, error);
  }

  // ------------------------------------------------------------------------------ interpreters

  /** {@code GET /api/interpreter/setting}: every interpreter setting the server knows. */
  public JsonNode interpreterSettings() throws IOException, InterruptedException {
    return call("GET", "/api/interpreter/setting", null, Duration.ofSeconds(30));
  }

  /** One setting by its name (the group name for settings made from interpreter-setting.json). */
  public JsonNode interpreterSetting(String name) throws IOException, InterruptedException {
    for (JsonNode s : interpreterSettings()) {
      if (name.equals(s.path("name").asText())) {
        return s;
      }
    }
    throw new IOException("no interpreter setting named " + name + " (known: "
        + names(interpreterSettings()) + ")");
  }

  /**
   * Sets one property of an interpreter setting ({@code PUT /api/interpreter/setting/{id}},
   * which also restarts the setting's interpreter processes). Upper-case names like
   * {@code ZEPPELIN_INTP_JAVA_OPTS} reach the launcher as environment variables.
   */
  public void setInterpreterProperty(String settingName, String key, String value)
      throws IOException, InterruptedException {
    JsonNode setting = interpreterSetting(settingName);
    ObjectNode props = setting.path("properties").isObject()
        ? ((ObjectNode) setting.path("properties")).deepCopy() : JSON.createObjectNode();
    JsonNode old = props.path(key);
    ObjectNode prop = JSON.createObjectNode();
    prop.put("name", key);
    prop.put("value", value);
    prop.put("type", old.path("type").asText("string"));
    if (old.has("description")) {
      prop.set("description", old.get("description"));
    }
    props.set(key, prop);
    ObjectNode body = JSON.createObjectNode();
    body.set("properties", props);
    body.set("dependencies", setting.path("dependencies").isArray()
        ? setting.get("dependencies") : JSON.createArrayNode());
    body.set("option", setting.path("option"));
    call("PUT", "/api/interpreter/setting/" + setting.path("id").asText(),
        JSON.writeValueAsString(body), Duration.ofMinutes(2));
  }

  /** {@code PUT /api/interpreter/setting/restart/{id}}: stops the setting's interpreter JVMs. */
  public void restartInterpreter(String settingName) throws IOException, InterruptedException {
    String id = interpreterSetting(settingName).path("id").asText();
    call("PUT", "/api/interpreter/setting/restart/" + id, "", Duration.ofMinutes(2));
  }

  /** Interpreter JVMs (RemoteInterpreterServer) currently started by this server. */
  public List<ProcessHandle> interpreterProcesses() {
    return server.descendants()
        .filter(h -> h.info().commandLine().orElse("").contains(INTERPRETER_MAIN))
        .collect(Collectors.toList());
  }

  private static String names(JsonNode settings) {
    List<String> n = new ArrayList<>();
    settings.forEach(s -> n.add(s.path("name").asText()));
    return String.join(", ", n);
  }

  // -------------------------------------------------------------------------------------- HTTP

  private HttpRequest request(String method, String path, String body, Duration timeout) {
    HttpRequest.BodyPublisher pub = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
    return HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(timeout)
        .header("Content-Type", "application/json").method(method, pub).build();
  }

  private HttpResponse<String> callRaw(String method, String path, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request(method, path, body, timeout),
        HttpResponse.BodyHandlers.ofString());
    checkOk(method, path, r);
    return r;
  }

  /** Sends a request and returns the {@code body} of Zeppelin's {status, message, body} answer. */
  private JsonNode call(String method, String path, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpResponse<String> r = callRaw(method, path, body, timeout);
    if (r.body() == null || r.body().isBlank()) {
      return JSON.createObjectNode();
    }
    return JSON.readTree(r.body()).path("body");
  }

  private void checkOk(String method, String path, HttpResponse<String> r) throws IOException {
    if (r.statusCode() / 100 != 2) {
      String msg = r.body();
      try {
        JsonNode n = JSON.readTree(r.body());
        msg = n.path("message").asText(r.body());
      } catch (IOException notJson) {
        // keep the raw body
      }
      if (msg != null && msg.length() > 2000) {
        msg = msg.substring(0, 2000) + "... (" + msg.length() + " chars)";
      }
      throw new IOException(method + " " + path + " -> HTTP " + r.statusCode() + ": " + msg);
    }
  }

  // ---------------------------------------------------------------------------------- shutdown

  /**
   * Stops the server and every process it started. The server's own shutdown hook stops its
   * interpreter processes and then sleeps 3 s; anything of the server's process tree still
   * alive 20 s after SIGTERM is killed.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting: the hook runs anyway
    }
  }

  private synchronized void stopProcesses() {
    if (closed) {
      return;
    }
    closed = true;
    // Remember the tree now: once the server is gone its children are re-parented and no
    // longer appear among its descendants.
    Set<ProcessHandle> tree = new LinkedHashSet<>(server.descendants().collect(Collectors.toList()));
    server.destroy();
    try {
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
        server.waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle h : tree) {
        if (h.isAlive()) {
          h.destroy();
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      for (ProcessHandle h : tree) {
        while (h.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        if (h.isAlive()) {
          h.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.destroyForcibly();
      tree.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** PIDs of the server and of everything it started, for "no orphan" checks. */
  public Set<Long> processTreePids() {
    Set<Long> pids = new LinkedHashSet<>();
    pids.add(server.pid());
    server.descendants().forEach(h -> pids.add(h.pid()));
    return pids;
  }

  // ----------------------------------------------------------------------------------- helpers

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static List<Path> listJars(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted()
          .collect(Collectors.toList());
    }
  }

  /** Last {@code lines} lines of a log file, for failure messages. */
  public static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) {
        return "(" + file + " does not exist)";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return "--- " + file + " ---\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  private static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Builds an interpreter folder from jars: copies them into {@code dir} and, if none of them is
   * accompanied by an interpreter-setting.json, takes the one inside a jar. Handy for an
   * interpreter whose runtime jars come from a Maven copy-dependencies folder.
   */
  public static Path interpreterDirFromJars(Path dir, Collection<Path> jars) throws IOException {
    Files.createDirectories(dir);
    for (Path j : jars) {
      Files.copy(j, dir.resolve(j.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.exists(dir.resolve("interpreter-setting.json"))) {
      extractSettingFromJars(dir);
    }
    return dir;
  }
}
