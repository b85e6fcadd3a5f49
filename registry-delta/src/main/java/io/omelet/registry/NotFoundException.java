package io.omelet.registry;

/** An experiment, run, model, version or alias that does not exist. */
public class NotFoundException extends RegistryException {
  public NotFoundException(String message) {
    super(message);
  }
}
