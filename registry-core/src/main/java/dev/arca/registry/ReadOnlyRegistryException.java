package dev.arca.registry;

/**
 * A write (save, delete, tag, settings, janitor) was asked of a registry opened read-only
 * ({@link Registry.Builder#readOnly}). Nothing was sent to the storage.
 */
public class ReadOnlyRegistryException extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message what was refused, the registry's location and the fix
   */
  public ReadOnlyRegistryException(String message) {
    super(message);
  }
}
