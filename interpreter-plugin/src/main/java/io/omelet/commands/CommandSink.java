package io.omelet.commands;

/**
 * Where a running command sends its results and progress, as they happen: the front end renders
 * them (a terminal prints a table as soon as it is there; a notebook appends to the paragraph).
 */
public interface CommandSink {

  void result(CommandResult result);

  /** Progress of a long step; called often, from the command's thread or a poller's. */
  default void progress(ProgressEvent event) {}

  /** Collects results in a list, ignoring progress (tests, JSON output). */
  static Collecting collecting() {
    return new Collecting();
  }

  final class Collecting implements CommandSink {
    private final java.util.List<CommandResult> results = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<ProgressEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void result(CommandResult result) {
      results.add(result);
    }

    @Override
    public void progress(ProgressEvent event) {
      events.add(event);
    }

    public java.util.List<CommandResult> results() {
      return results;
    }

    public java.util.List<ProgressEvent> events() {
      return events;
    }

    public <T extends CommandResult> java.util.List<T> of(Class<T> kind) {
      return results.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
  }
}
