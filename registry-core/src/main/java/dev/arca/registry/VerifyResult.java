package dev.arca.registry;

import org.jspecify.annotations.Nullable;

/**
 * What {@link Registry#verify} found for one version.
 *
 * @param key the version, {@code name@version} (on a Store, {@code mount/name@version})
 * @param status whether it is whole
 * @param files how many files its manifest lists (0 when the manifest itself is missing or unreadable)
 * @param bytes how many bytes were read and hashed
 * @param problem what is wrong, naming each bad file; null when {@link Status#OK}
 */
public record VerifyResult(String key, Status status, int files, long bytes, @Nullable String problem) {

  /** The outcome of a verification. */
  public enum Status {
    /** The manifest matches its digest and every file its size and sha256. */
    OK,
    /** The manifest or a file does not match what was committed (and no file is missing). */
    CORRUPT,
    /** The manifest or at least one file is gone. */
    MISSING
  }

  /**
   * Whether the version is whole.
   *
   * @return true for {@link Status#OK}
   */
  public boolean ok() {
    return status == Status.OK;
  }

  /**
   * The same result under another key, e.g. qualified by a Store's mount.
   *
   * @param newKey the key
   * @return the result
   */
  public VerifyResult withKey(String newKey) {
    return new VerifyResult(newKey, status, files, bytes, problem);
  }
}
