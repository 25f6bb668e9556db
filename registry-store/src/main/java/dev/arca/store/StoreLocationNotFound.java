package dev.arca.store;

import dev.arca.registry.RegistryException;

/**
 * A qualified key names a mount the store does not have, or an unqualified write finds no default mount (several
 * mounts, none chosen). Nothing was read or written.
 */
public class StoreLocationNotFound extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message the key, the mounts involved and the fix
   */
  public StoreLocationNotFound(String message) {
    super(message);
  }
}
