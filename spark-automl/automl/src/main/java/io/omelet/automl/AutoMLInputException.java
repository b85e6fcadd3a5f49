package io.omelet.automl;

/** Bad input found before any training started; the message names the column or setting. */
public class AutoMLInputException extends IllegalArgumentException {
  public AutoMLInputException(String message) {
    super(message);
  }
}
