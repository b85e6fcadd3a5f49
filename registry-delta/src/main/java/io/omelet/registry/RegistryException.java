package io.omelet.registry;

/** A registry call that cannot be carried out; the message says what and why. */
public class RegistryException extends RuntimeException {
  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
