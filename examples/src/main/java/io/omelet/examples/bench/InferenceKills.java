package io.omelet.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.inference.InferenceLogConfig;
import io.omelet.inference.InferenceTable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * The kill part of bin/bench inference: {@code omelet serve} (the CLI's main class, logging with its
 * defaults) runs in a child JVM on a registry; this JVM sends it single-row requests at a steady
 * rate, each with its own {@code X-Request-Id}, keeps the ids answered 200, and stops the child at a
 * random moment (seeded) after its log's first commit: SIGKILL in the kill trials, then one stop by
 * SIGTERM and one by SIGINT (Ctrl-C). A new child is started for every trial. At the end the model's inference table is read
 * with Spark and checked against the acknowledged ids, trial by trial (single-row requests: one row
 * per id).
 */
final class InferenceKills {
  /** How a child is stopped. */
  enum Stop {
    SIGKILL, SIGTERM, SIGINT
  }

  /**
   * One trial: how the child was stopped, how long after the log's first commit, the commits seen
   * before, its exit code, whether it ended by itself after the signal (else it was killed after
   * 120 s) and how the table compares with the ids acknowledged.
   */
  record Trial(int index, Stop stop, Commits commits, double stopAfterSeconds, AckedRequests.Check check,
               int exitCode, boolean ended) {}

  /** Longest wait for a fresh server's first commit. */
  static final int FIRST_FLUSH_WAIT_S = 120;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Pattern URL = Pattern.compile("\\burl:\\s+(http://\\S+)");

  private InferenceKills() {}

  /**
   * Runs {@code kills} SIGKILL trials then one SIGTERM and one SIGINT trial against children serving
   * {@code uri} from {@code root}, at {@code rps} single-row requests a second.
   */
  static List<Trial> run(SparkSession spark, Path work, String root, String uri, List<String> bodies, int kills,
                         int rps, long seed) throws Exception {
    Random rnd = new Random(seed);
    List<Stop> plan = new ArrayList<>();
    for (int i = 0; i < kills; i++) plan.add(Stop.SIGKILL);
    plan.add(Stop.SIGTERM);
    if (sigintIgnored()) {
      // a shell starts background jobs with SIGINT ignored, and the child would inherit it: Ctrl-C's
      // handler is then never installed, and the trial would measure a server that did not stop
      System.err.println("SIGINT is ignored in this JVM (bin/bench was started in the background?), so it would be"
          + " in the child too: no SIGINT trial; run bin/bench in the foreground for it");
    } else {
      plan.add(Stop.SIGINT);
    }
    List<Stopped> stopped = new ArrayList<>();
    for (int t = 0; t < plan.size(); t++) {
      // 0.5 to 8.5 s after the first commit: anywhere in the flush cycle
      stopped.add(trial(work, root, uri, bodies, rps, t, plan.get(t), 500 + rnd.nextInt(8000)));
    }
    String table = InferenceTable.location(root, uri.substring(0, uri.indexOf('@')));
    List<Trial> out = new ArrayList<>();
    for (int t = 0; t < plan.size(); t++) {
      Stopped s = stopped.get(t);
      out.add(new Trial(t, plan.get(t), s.commits(), s.stopAfterMs() / 1000.0,
          AckedRequests.Check.of(s.acked(), AckedRequests.rowsPerId(spark, table, prefix(t))), s.exitCode(),
          s.ended()));
    }
    return out;
  }

  /** What one trial leaves to check: the ids acknowledged, when the child was stopped, how it ended. */
  private record Stopped(Set<String> acked, Commits commits, long stopAfterMs, int exitCode, boolean ended) {}

  /**
   * The log's commits as /health showed them (polled every 50 ms): the first one's time after the
   * load began, the longest time between two, and the time from the last one to the stop.
   */
  record Commits(double firstSeconds, double maxGap, double sinceLastAtStop) {}

  /**
   * Starts a child, loads it, and {@code stopAfterMs} after its log's first commit stops it with
   * {@code stop}. The stop waits for that commit: a fresh server's first one (Spark's first job in
   * that JVM) takes seconds, and a kill before it loses every row so far, which measures the cold
   * start rather than the flush cycle (its time is reported).
   */
  private static Stopped trial(Path work, String root, String uri, List<String> bodies, int rps, int t, Stop stop,
                               long stopAfterMs) throws Exception {
    Path log = work.resolve("serve-" + t + ".log");
    Process p = new ProcessBuilder(ChildJvm.command("1500m", "io.omelet.cli.OmeletCli", "-v", "serve",
        "--model", uri, "--port", "0", "--reload-interval", "0", "--registry", root))
        .redirectError(log.toFile()).start();
    try {
      URI base = awaitUrl(p, log);
      AckedRequests load = new AckedRequests(base.resolve("/predict"), bodies, prefix(t));
      CompletableFuture<Commits> stopper = CompletableFuture.supplyAsync(() -> {
        try {
          Commits commits = watchCommits(base, stopAfterMs);
          signal(p, stop);
          // the load goes on a second: requests answered while stopping count too
          Thread.sleep(1000);
          return commits;
        } catch (Exception e) {
          throw new IllegalStateException("trial " + t + ": " + e.getMessage() + "; see " + log, e);
        } finally {
          load.stop();
        }
      });
      RestLoad.Result r = RestLoad.run(load, rps, Duration.ZERO, Duration.ofSeconds(FIRST_FLUSH_WAIT_S + 30),
          RestLoad.DEFAULT_CLIENTS);
      Commits commits = stopper.get(60, TimeUnit.SECONDS);
      int wait = stop == Stop.SIGKILL ? 30 : 120;
      boolean ended = p.waitFor(wait, TimeUnit.SECONDS);
      if (!ended) {
        System.err.printf("trial %d: the child did not end within %d s of %s; killed%n", t, wait, stop);
      }
      Set<String> acked = load.acked();
      System.err.printf("trial %d: first commit %.1f s after the load began, %s %.1f s later, %.1f s after the last"
          + " commit seen (commits up to %.1f s apart); %d ids acknowledged, %d requests unanswered%n", t,
          commits.firstSeconds(), stop, stopAfterMs / 1000.0, commits.sinceLastAtStop(), commits.maxGap(),
          acked.size(), r.errors());
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      return new Stopped(acked, commits, stopAfterMs, p.exitValue(), ended);
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Whether this process ignores SIGINT (Linux: the SigIgn mask of /proc/self/status); false when unknown. */
  static boolean sigintIgnored() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: assume the default disposition
    }
    return false;
  }

  /** The rows the log holds at most between two flushes at {@code rps} single-row requests a second. */
  static double rowsPerFlushInterval(int rps) {
    return rps * (InferenceLogConfig.DEFAULT_FLUSH_INTERVAL.toMillis() / 1000.0);
  }

  /** Trial t's ids: "t7-" and the slot; unique within the table, as no id is a prefix of another trial's. */
  private static String prefix(int t) {
    return "t" + t + "-";
  }

  private static void signal(Process p, Stop stop) throws Exception {
    switch (stop) {
      case SIGKILL -> p.destroyForcibly(); // SIGKILL on Linux
      case SIGTERM -> p.destroy(); // SIGTERM on Linux
      case SIGINT -> new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
    }
  }

  /**
   * Follows the log's commits on /health until {@code afterFirstMs} after the first one (at most
   * {@link #FIRST_FLUSH_WAIT_S} for that one).
   */
  private static Commits watchCommits(URI base, long afterFirstMs) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(10)).build();
    long t0 = System.nanoTime();
    long first = -1;
    long last = -1;
    long flushes = 0;
    double maxGap = 0;
    while (true) {
      long now = System.nanoTime();
      if (first < 0 && now - t0 > FIRST_FLUSH_WAIT_S * 1_000_000_000L) {
        throw new IllegalStateException("no commit of the inference log within " + FIRST_FLUSH_WAIT_S + " s");
      }
      if (first >= 0 && now - first >= afterFirstMs * 1_000_000L) {
        return new Commits((first - t0) / 1e9, maxGap, (now - last) / 1e9);
      }
      JsonNode log = JSON.readTree(http.send(health, HttpResponse.BodyHandlers.ofString()).body()).path("inference_log");
      if (log.isMissingNode()) throw new IllegalStateException("the server keeps no inference log: " + base);
      long seen = log.path("flushes").asLong();
      if (seen > flushes) {
        long at = System.nanoTime();
        if (first < 0) first = at;
        else maxGap = Math.max(maxGap, (at - last) / 1e9);
        last = at;
        flushes = seen;
      }
      Thread.sleep(50);
    }
  }

  /** The server's base URL, from the line {@code omelet serve} prints once it listens. */
  private static URI awaitUrl(Process p, Path log) throws Exception {
    CompletableFuture<URI> url = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          Matcher m = URL.matcher(line);
          if (m.find()) url.complete(URI.create(m.group(1)));
        }
        url.completeExceptionally(new IllegalStateException("omelet serve ended before listening; see " + log));
      } catch (java.io.IOException e) {
        url.completeExceptionally(e);
      }
    }, "serve-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      return url.get(240, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      String tail = Files.exists(log) ? String.join("\n", tailOf(Files.readAllLines(log), 20)) : "";
      throw new IllegalStateException(e.getCause().getMessage() + "\n" + tail, e.getCause());
    }
  }

  private static List<String> tailOf(List<String> lines, int n) {
    return lines.subList(Math.max(0, lines.size() - n), lines.size());
  }
}
