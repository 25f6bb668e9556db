package dev.arca.store;

import dev.arca.registry.RegistryException;

/** An unqualified key is found in more than one mount; qualify it with the mount's name. */
public class StoreAmbiguousObjectError extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message the key, the mounts involved and the fix
   */
  public StoreAmbiguousObjectError(String message) {
    super(message);
  }
}
