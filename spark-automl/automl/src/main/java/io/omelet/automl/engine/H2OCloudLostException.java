package io.omelet.automl.engine;

/** The H2O cloud lost a node (an executor or a server went away): the work on it cannot go on. */
public class H2OCloudLostException extends IllegalStateException {
  public H2OCloudLostException(String message) {
    super(message);
  }
}
