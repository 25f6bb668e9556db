package dev.arca.registry;

/**
 * A write lost to another: the version already exists (and the conflict policy is FAIL), or a
 * compare-and-swap found the version or tag changed since it was read.
 */
public class VersionConflictException extends RegistryException {

  /**
   * Creates the error.
   *
   * @param message the key, the version and what to do instead
   */
  public VersionConflictException(String message) {
    super(message);
  }
}
