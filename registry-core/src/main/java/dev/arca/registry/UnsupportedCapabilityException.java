package dev.arca.registry;

/** The backend cannot do what was asked (declared in its capabilities), or the registry's settings forbid it. */
public class UnsupportedCapabilityException extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message what is unsupported and what to use instead
   */
  public UnsupportedCapabilityException(String message) {
    super(message);
  }
}
