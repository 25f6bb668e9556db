package dev.arca.registry.internal.mvcc;

import dev.arca.registry.Manifest;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The document stored at a version's manifest key: the manifest, the write attempts it replaced less than the
 * grace period ago (whose files the janitor keeps for readers still holding the old manifest) and, for a deleted
 * version, its tombstone. A tombstone keeps the key taken, so the number is never committed again, and keeps the
 * manifest, so the deleted attempt's files are reclaimed like a replaced one's.
 */
record StoredManifest(Manifest manifest, List<Superseded> superseded, @Nullable Deletion deleted) {

  StoredManifest {
    java.util.Objects.requireNonNull(manifest, "manifest");
    superseded = superseded == null ? List.of() : List.copyOf(superseded);
  }

  StoredManifest(Manifest manifest, List<Superseded> superseded) {
    this(manifest, superseded, null);
  }

  boolean isDeleted() {
    return deleted != null;
  }

  /**
   * A write attempt this document no longer references, since {@code at} by the store's clock; null when it was
   * replaced by this very document, whose last-modified time is then the moment.
   */
  record Superseded(String uuid, @Nullable Instant at) {}

  /** When the version was deleted, and a fresh id by which the deleter recognizes its own tombstone. */
  record Deletion(Instant at, String id) {}
}
