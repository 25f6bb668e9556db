package dev.arca.registry;

/** What a save does when the version it targets already exists. */
public enum OnConflict {
  /** Throw {@link VersionConflictException}. The default. */
  FAIL,
  /** Keep the existing version and return its manifest; the save is a no-op. */
  SKIP,
  /**
   * Replace the existing version by compare-and-swap. Only in mutable registries. Readers holding the old
   * manifest keep reading the old files for the grace period.
   */
  OVERWRITE
}
