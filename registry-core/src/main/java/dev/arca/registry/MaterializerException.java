package dev.arca.registry;

import org.jspecify.annotations.Nullable;

/** No materializer fits a type, a named one is missing, or a materializer failed to write or read. */
public class MaterializerException extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message the type or materializer involved and the fix
   * @param cause the underlying failure, or null
   */
  public MaterializerException(String message, @Nullable Throwable cause) {
    super(message, cause, false);
  }
}
