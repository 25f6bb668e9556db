package dev.arca.registry.testkit.sim;

/**
 * A broken invariant.
 *
 * @param kind which invariant
 * @param step the scheduler step at which it was seen
 * @param message what was seen, naming the key
 */
public record Violation(Kind kind, long step, String message) {

  /** The invariants. */
  public enum Kind {
    /** A listed version (or an acknowledged one not deleted) does not load whole: missing or corrupt file. */
    BROKEN_VERSION,
    /** An acknowledged version, never deleted, is gone. */
    LOST_VERSION,
    /** The store holds a value for a version that no acknowledged history allows (e.g. an older one). */
    WRONG_VALUE,
    /** A version number was acknowledged twice, or again after an acknowledged delete of it. */
    REUSED_VERSION,
    /** A tag names a version that is missing or deleted. */
    DANGLING_TAG,
    /** A reader failed with something other than not-found for a deleted or not yet existing version. */
    READER_FAILED,
    /** A read that started after an overwrite was acknowledged returned the older value. */
    STALE_READ,
    /** An unconditional delete removed a concurrent compare-and-swap write its deleter never saw. */
    BLIND_DELETE,
    /** An actor blocked outside a store call, or the harness itself failed. */
    STALL
  }

  @Override
  public String toString() {
    return "[" + kind + " at step " + step + "] " + message;
  }
}
