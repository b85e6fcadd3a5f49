package io.omelet.automl.engine;

import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.H2O;

/**
 * The H2O server node of one Spark executor JVM, for {@link InternalH2OEngine}. Everything here runs
 * inside Spark tasks on executors; a JVM holds at most one node (H2O starts once per JVM).
 *
 * <p>A node starts in two steps, each a Spark job the driver runs: {@link #reserve} binds two free
 * ports on the executor's address and keeps them bound, so executors sharing a host never pick the
 * same pair; once the driver knows every executor's address it writes the flatfile and
 * {@link #start} releases the ports and starts H2O on them. Both are idempotent: the driver runs
 * more tasks than executors so that every executor gets at least one.
 */
final class ExecutorH2ONode {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorH2ONode.class);

  private static ServerSocket[] reserved;
  private static Slot reservedSlot;
  private static String startedCloud;

  private ExecutorH2ONode() {}

  /** Where an executor's node listens; {@code port} is H2O's REST port, {@code port + 1} its internal one. */
  record Slot(String executorId, String host, String ip, int port) implements Serializable {
    String address() {
      return ip + ":" + port;
    }
  }

  /** Binds a free port pair at or above {@code basePort} on this executor's address (once per JVM). */
  static synchronized Slot reserve(String cloudName, int basePort, int portRange) {
    if (startedCloud != null) {
      if (!startedCloud.equals(cloudName)) throw otherCloud(cloudName);
      return reservedSlot;
    }
    if (reservedSlot != null) return reservedSlot;
    String executorId = SparkEnv.get().executorId();
    String host = SparkEnv.get().blockManager().blockManagerId().host();
    String ip;
    try {
      ip = InetAddress.getByName(host).getHostAddress();
    } catch (IOException e) {
      throw new IllegalStateException("executor " + executorId + " cannot resolve its own host " + host, e);
    }
    ServerSocket[] bound = H2ONodeArgs.bindPortPair(ip, basePort, portRange);
    if (bound == null) {
      throw new IllegalStateException("executor " + executorId + " on " + host + " found no two consecutive free"
          + " ports in " + basePort + ".." + (basePort + 2 * portRange) + " for its H2O node; set spark.omelet.h2o.port");
    }
    reserved = bound;
    reservedSlot = new Slot(executorId, host, ip, bound[0].getLocalPort());
    return reservedSlot;
  }

  /**
   * Starts this executor's node of {@code cloudName}, whose servers are {@code flatfile} (one
   * {@code ip:port} a line), on the ports {@link #reserve} bound, with {@code nthreads} threads (0:
   * all cores). Returns the slot it runs on.
   */
  static synchronized Slot start(String cloudName, List<String> servers, int nthreads, String logLevel) {
    if (startedCloud != null) {
      if (!startedCloud.equals(cloudName)) throw otherCloud(cloudName);
      return reservedSlot;
    }
    if (reservedSlot == null) {
      // An executor that joined after the cloud was planned: it has no place in the flatfile.
      return null;
    }
    if (H2O.SELF != null) {
      throw new IllegalStateException("executor " + reservedSlot.executorId() + " already runs an H2O node that"
          + " Omelet did not start (" + H2O.SELF + "); the internal backend needs executors without one");
    }
    Slot slot = reservedSlot;
    Path work = H2ONodeArgs.workDir(cloudName);
    String flatfile = H2ONodeArgs.writeFlatfile(work, servers);
    String[] args = H2ONodeArgs.build(cloudName, slot.ip(), slot.port(), flatfile, false, true, nthreads, logLevel, work);
    H2ONodeArgs.close(reserved);
    reserved = null;
    LOG.info("starting H2O node {} of cloud {} on executor {}", slot.address(), cloudName, slot.executorId());
    H2ONodeArgs.startNode(args, 120_000);
    startedCloud = cloudName;
    return slot;
  }

  /** Fails a task that runs on an executor without a node of {@code cloudName}. */
  static void require(String cloudName) {
    String cloud;
    synchronized (ExecutorH2ONode.class) {
      cloud = startedCloud;
    }
    if (!cloudName.equals(cloud)) {
      throw new IllegalStateException("executor " + SparkEnv.get().executorId() + " has no H2O node of cloud "
          + cloudName + (cloud == null ? "" : " (it runs one of " + cloud + ")")
          + ": the internal backend's cloud is fixed when it starts, and this executor joined later"
          + " (keep the executors of an application with the internal backend fixed:"
          + " spark.dynamicAllocation.enabled=false)");
    }
  }

  private static IllegalStateException otherCloud(String cloudName) {
    return new IllegalStateException("executor " + SparkEnv.get().executorId() + " already runs a node of H2O cloud "
        + startedCloud + "; it cannot join " + cloudName + " (H2O starts once per JVM)");
  }

}
