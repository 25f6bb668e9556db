package dev.arca.registry;

import org.jspecify.annotations.Nullable;

/**
 * The root of every error Arca throws. Unchecked: callers catch the subclasses they act on.
 *
 * <p>{@link #retryable()} tells whether the same call may succeed if simply tried again (a timeout, a
 * throttled or failing server); errors in the request itself are never retryable.
 */
public class RegistryException extends RuntimeException {

  private final boolean retryable;

  /**
   * Creates a non-retryable error.
   *
   * @param message what went wrong, naming the key and the fix
   */
  public RegistryException(String message) {
    this(message, null, false);
  }

  /**
   * Creates an error.
   *
   * @param message what went wrong, naming the key and the fix
   * @param cause the underlying failure, or null
   * @param retryable whether trying the same call again may succeed
   */
  public RegistryException(String message, @Nullable Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  /**
   * Whether trying the same call again may succeed.
   *
   * @return true for transient failures
   */
  public boolean retryable() {
    return retryable;
  }
}
