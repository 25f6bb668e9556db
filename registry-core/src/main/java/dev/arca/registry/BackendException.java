package dev.arca.registry;

import org.jspecify.annotations.Nullable;

/** The storage backend failed: I/O, network, authentication, a missing bucket. Carries scheme and key. */
public class BackendException extends RegistryException {

  private final String scheme;
  private final @Nullable String key;

  /**
   * Creates the error.
   *
   * @param scheme the backend's URI scheme, e.g. {@code file}, {@code s3}
   * @param key the storage key involved, or null
   * @param message what failed and what to check
   * @param cause the underlying failure, or null
   * @param retryable whether trying again may succeed
   */
  public BackendException(
      String scheme, @Nullable String key, String message, @Nullable Throwable cause, boolean retryable) {
    super(scheme + (key != null ? " key '" + key + "'" : "") + ": " + message, cause, retryable);
    this.scheme = scheme;
    this.key = key;
  }

  /**
   * The backend's URI scheme.
   *
   * @return e.g. {@code file}
   */
  public String scheme() {
    return scheme;
  }

  /**
   * The storage key involved, if any.
   *
   * @return the key, or null
   */
  public @Nullable String key() {
    return key;
  }
}
