package io.omelet.examples.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM for the benchmarks that kill a process ({@link KillTrials}, {@link InferenceKills}):
 * this JVM's java, class path, module opens, log configuration and data folder, its own heap.
 */
final class ChildJvm {
  private ChildJvm() {}

  /** The command line that runs {@code mainClass} with {@code args} in a JVM of heap {@code xmx} (e.g. "1g"). */
  static List<String> command(String xmx, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-Dlog4j2") || arg.startsWith("-Domelet.data")) cmd.add(arg);
    }
    cmd.add("-Xmx" + xmx);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return cmd;
  }
}
