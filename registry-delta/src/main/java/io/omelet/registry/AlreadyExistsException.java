package io.omelet.registry;

/** An experiment or registered model name that is taken (MLflow's RESOURCE_ALREADY_EXISTS). */
public class AlreadyExistsException extends RegistryException {
  public AlreadyExistsException(String message) {
    super(message);
  }
}
