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
   * The error for a read that kept meeting newer writes: each attempt found the object replaced before its whole
   * body arrived. Retryable: the object is fine, only busy.
   *
   * @param scheme the backend's URI scheme
   * @param key the storage key
   * @param attempts how many reads were tried
   * @param last the last attempt's failure, or null
   * @return the error
   */
  public static BackendException replacedWhileRead(String scheme, String key, int attempts,
      @Nullable Throwable last) {
    return new BackendException(scheme, key, "the object was replaced under each of " + attempts + " reads (it is"
        + " being overwritten continuously); nothing is wrong with it: try again", last, true);
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
