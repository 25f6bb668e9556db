package dev.arca.store;

import dev.arca.registry.RegistryException;

/** A store key does not follow {@code [mount/]name[@version|#tag]}. */
public class StoreKeyFormatException extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message the key, the mounts involved and the fix
   */
  public StoreKeyFormatException(String message) {
    super(message);
  }
}
