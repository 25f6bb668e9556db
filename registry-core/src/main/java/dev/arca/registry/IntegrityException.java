package dev.arca.registry;

/** Stored bytes or a stored manifest do not match their recorded digest, or a manifest is malformed. */
public class IntegrityException extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message the key, the file and what was expected
   */
  public IntegrityException(String message) {
    super(message);
  }
}
