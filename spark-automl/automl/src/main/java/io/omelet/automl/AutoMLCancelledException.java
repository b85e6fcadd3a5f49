package io.omelet.automl;

import java.util.concurrent.CancellationException;

/** Thrown by a job stopped through {@link AutoMLJob#cancel()}. */
public class AutoMLCancelledException extends CancellationException {
  public AutoMLCancelledException(String message) {
    super(message);
  }
}
