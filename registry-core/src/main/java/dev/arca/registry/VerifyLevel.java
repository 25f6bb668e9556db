package dev.arca.registry;

/** How much a load checks before it trusts bytes. */
public enum VerifyLevel {
  /** Trust stored and cached bytes. */
  NONE,
  /** Re-hash every file against the manifest's sha256 while streaming it. The default. */
  INTEGRITY,
  /**
   * {@link #INTEGRITY}, and the remote manifest must still match a cached one; an unreachable remote is an
   * error, never a stale answer.
   */
  FULL
}
