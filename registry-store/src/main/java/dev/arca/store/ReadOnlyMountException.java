package dev.arca.store;

import dev.arca.registry.ReadOnlyRegistryException;

/** A write or delete addressed a read-only mount. */
public class ReadOnlyMountException extends ReadOnlyRegistryException {

  /**
   * Creates the error.
   *
   * @param message the key, the mounts involved and the fix
   */
  public ReadOnlyMountException(String message) {
    super(message);
  }
}
