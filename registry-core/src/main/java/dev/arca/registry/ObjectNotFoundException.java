package dev.arca.registry;

/** The name, version or tag asked for does not exist. */
public class ObjectNotFoundException extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message what was looked for and where
   */
  public ObjectNotFoundException(String message) {
    super(message);
  }
}
