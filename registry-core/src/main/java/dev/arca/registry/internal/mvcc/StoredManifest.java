package dev.arca.registry.internal.mvcc;

import dev.arca.registry.Manifest;
import java.time.Instant;
import java.util.List;

/**
 * The document stored at a version's manifest key: the manifest, and the write attempts it replaced less than
 * the grace period ago, whose files the janitor must keep for readers still holding the old manifest.
 */
record StoredManifest(Manifest manifest, List<Superseded> superseded) {

  StoredManifest {
    java.util.Objects.requireNonNull(manifest, "manifest");
    superseded = superseded == null ? List.of() : List.copyOf(superseded);
  }

  record Superseded(String uuid, Instant at) {}
}
