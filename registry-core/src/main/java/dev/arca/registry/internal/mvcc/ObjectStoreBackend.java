package dev.arca.registry.internal.mvcc;

import dev.arca.registry.FileEntry;
import dev.arca.registry.IntegrityException;
import dev.arca.registry.JanitorReport;
import dev.arca.registry.Manifest;
import dev.arca.registry.Names;
import dev.arca.registry.RegistryException;
import dev.arca.registry.UnsupportedCapabilityException;
import dev.arca.registry.Version;
import dev.arca.registry.internal.json.Json;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.RegistrySettings;
import dev.arca.registry.spi.Stamped;
import dev.arca.registry.spi.StagedVersion;
import dev.arca.registry.spi.TagRecord;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The lock-free MVCC commit protocol over any {@link BlobStore} (DESIGN.md, "Commit protocol"):
 *
 * <ul>
 *   <li>each write attempt streams its files into a fresh uuid folder no reader looks at;
 *   <li>one create-if-absent of the manifest commits it, so of racing writers exactly one wins;
 *   <li>an overwrite replaces the manifest by compare-and-swap and records the replaced attempt, whose files
 *       stay for the grace period so readers holding the old manifest keep reading;
 *   <li>the janitor removes attempts no manifest references once they are older than the grace period.
 * </ul>
 *
 * <p>An exception from the store means "unknown", never "did not happen": a commit or a delete that throws may
 * have landed, so a write attempt whose commit threw keeps its files (first it looks whether the manifest is its
 * own, and reports success when it is); only the janitor reclaims them once no manifest references them. Deletes
 * replace the manifest by compare-and-swap with a tombstone, so they are atomic on every store, and a deleted
 * version's number is never committed again (docs/PROTOCOL.md).
 *
 * <p>A write attempt that has not committed within half the grace period of its start is refused at commit:
 * past that the janitor could already be removing its files.
 *
 * <p>Opening writes nothing: the conditional-write probe runs before this instance's first write.
 *
 * <p>Thread-safe.
 */
public final class ObjectStoreBackend implements Backend {

  private static final byte[] DELETED_HINT = "deleted".getBytes(StandardCharsets.UTF_8);

  private final BlobStore store;
  private final Clock clock;
  private final Duration grace;
  private volatile boolean probed;

  /**
   * Runs the protocol over a store.
   *
   * @param store the store
   * @param clock stamps manifests and uuids
   * @param grace the janitor's grace period
   * @param probe whether to check, before the first write, that a remote store really honours conditions
   */
  public ObjectStoreBackend(BlobStore store, Clock clock, Duration grace, boolean probe) {
    this.store = store;
    this.clock = clock;
    this.grace = grace;
    this.probed = !probe || !store.capabilities().remote();
  }

  /** Probes the store once, before the first write of this instance. */
  private void beforeWrite() throws IOException {
    if (!probed) {
      synchronized (this) {
        if (!probed) {
          probeConditionalWrites();
          probed = true;
        }
      }
    }
  }

  /**
   * Checks that the store really refuses a second create-if-absent of one key and a replace whose etag does not
   * match, and performs one whose etag does. A store that silently ignores either condition would let two writers
   * both "win" a version, or an overwrite, tag move or delete erase a write it never saw.
   *
   * @throws IOException when the store fails
   * @throws UnsupportedCapabilityException when it ignores a condition
   */
  public void probeConditionalWrites() throws IOException {
    String key = Layout.PROBE + Uuids.newUuid(clock);
    try {
      Optional<String> created = store.put(key, probeBody("first writer"), Condition.IF_ABSENT);
      if (created.isEmpty()) {
        throw new UnsupportedCapabilityException(store.scheme() + ": the store refused to create a new key"
            + " with a create-if-absent condition; it does not implement conditional writes correctly");
      }
      // Different bytes each time: stores treat a 412 that met identical bytes as their own lost response.
      if (store.put(key, probeBody("second writer"), Condition.IF_ABSENT).isPresent()) {
        throw ignored("a second create-if-absent of the same key", "If-None-Match");
      }
      if (store.put(key, probeBody("stale replace"), Condition.ifMatch(created.get() + "-stale")).isPresent()) {
        throw ignored("a replace whose etag did not match", "If-Match");
      }
      if (store.put(key, probeBody("replace"), Condition.ifMatch(created.get())).isEmpty()) {
        throw new UnsupportedCapabilityException(store.scheme() + ": the store refused a replace whose etag"
            + " matched (If-Match); it does not implement conditional writes correctly");
      }
    } finally {
      store.delete(key, Condition.NONE);
    }
  }

  private static byte[] probeBody(String what) {
    return ("arca conditional-write probe, " + what).getBytes(StandardCharsets.UTF_8);
  }

  private UnsupportedCapabilityException ignored(String what, String header) {
    return new UnsupportedCapabilityException(store.scheme() + ": the store accepted " + what + ", so it ignores"
        + " conditional writes (" + header + ").\nRacing writers could then both commit one version, or erase each"
        + " other's writes, and silently lose data. Use a server that supports conditional writes, or, if only one"
        + " writer will ever use this registry, open it with Registry.builder().skipConditionalWriteProbe().");
  }

  @Override
  public String scheme() {
    return store.scheme();
  }

  @Override
  public Capabilities capabilities() {
    return store.capabilities();
  }

  @Override
  public Optional<Stamped<RegistrySettings>> readSettings() throws IOException {
    return readDocument(Layout.SETTINGS, RegistrySettings.class, "registry settings");
  }

  @Override
  public boolean writeSettings(RegistrySettings settings, @Nullable String expectedEtag) throws IOException {
    beforeWrite();
    return store.put(Layout.SETTINGS, Json.write(settings), condition(expectedEtag)).isPresent();
  }

  @Override
  public StagedVersion stage(String name) throws IOException {
    Names.requireName(name);
    beforeWrite();
    return new Attempt(name, Uuids.newUuid(clock), clock.instant());
  }

  @Override
  public Optional<Stamped<Manifest>> readManifest(String name, Version version) throws IOException {
    return readStored(name, version).filter(s -> !s.value().isDeleted())
        .map(s -> new Stamped<>(s.value().manifest(), s.etag()));
  }

  @Override
  public Optional<String> tombstone(String name, Version version) throws IOException {
    return readStored(name, version).filter(s -> s.value().isDeleted()).map(Stamped::etag);
  }

  private Optional<Stamped<StoredManifest>> readStored(String name, Version version) throws IOException {
    String key = Layout.manifest(name, version);
    Optional<Stamped<StoredManifest>> stored = readDocument(key, StoredManifest.class, "manifest");
    stored.ifPresent(s -> {
      Manifest m = s.value().manifest();
      if (!m.name().equals(name) || !m.version().equals(version)) {
        throw new IntegrityException("manifest at " + scheme() + " key '" + key + "' describes " + m.name() + "@"
            + m.version() + ", not " + name + "@" + version + ": it was moved or tampered with");
      }
    });
    return stored;
  }

  @Override
  public InputStream openFile(Manifest manifest, FileEntry file) throws IOException {
    String key = Layout.file(manifest.name(), manifest.uuid(), file.path());
    Optional<BlobContent> content = store.get(key);
    if (content.isEmpty()) {
      throw new NoSuchFileException(key, null, "file '" + file.path() + "' of " + manifest.name() + "@"
          + manifest.version() + " is gone (deleted meanwhile, or removed by hand)");
    }
    return content.get().stream();
  }

  @Override
  public List<String> listNames() throws IOException {
    Set<String> withDeletes = new HashSet<>();
    for (String prefix : store.listAll(Layout.DELETED_NAMES, true).blobs().stream().map(BlobInfo::key).toList()) {
      decodeName(Layout.leaf(prefix)).ifPresent(withDeletes::add);
    }
    List<String> names = new ArrayList<>();
    for (String prefix : store.listAll(Layout.META, true).prefixes()) {
      Optional<String> name = decodeName(Layout.leaf(prefix));
      // only a name that had a version deleted may have none left: just those cost a listing
      if (name.isPresent() && (!withDeletes.contains(name.get()) || !listVersions(name.get()).isEmpty())) {
        names.add(name.get());
      }
    }
    names.sort(null);
    return names;
  }

  @Override
  public List<Version> listVersions(String name) throws IOException {
    VersionListing listing = listing(name);
    List<Version> live = new ArrayList<>(listing.committed());
    live.removeAll(listing.deleted());
    return live;
  }

  @Override
  public Optional<Version> lastVersion(String name) throws IOException {
    List<Version> committed = listing(name).committed();
    return committed.isEmpty() ? Optional.empty() : Optional.of(committed.get(committed.size() - 1));
  }

  /** One listing of a name's manifests: every committed number (deleted ones included) and the deletion hints. */
  private record VersionListing(List<Version> committed, Set<Version> deleted) {}

  private VersionListing listing(String name) throws IOException {
    List<Version> committed = new ArrayList<>();
    Set<Version> deleted = new HashSet<>();
    for (BlobInfo blob : store.listAll(Layout.versions(name), true).blobs()) {
      String leaf = blob.key().substring(blob.key().lastIndexOf('/') + 1);
      boolean manifest = leaf.endsWith(Layout.JSON);
      if (!manifest && !leaf.endsWith(Layout.DELETED)) {
        continue;
      }
      try {
        Version v = Version.parseCanonical(leaf.substring(0, leaf.lastIndexOf('.')));
        (manifest ? committed : deleted).add(v);
      } catch (IllegalArgumentException foreign) {
        // not a key this library wrote; never surface it as a version
      }
    }
    committed.sort(null);
    return new VersionListing(committed, deleted);
  }

  @Override
  public boolean deleteVersion(Manifest manifest, String expectedEtag) throws IOException {
    beforeWrite();
    String name = manifest.name();
    Version version = manifest.version();
    Optional<Stamped<StoredManifest>> current = readStored(name, version);
    if (current.isEmpty() || current.get().value().isDeleted() || !current.get().etag().equals(expectedEtag)) {
      return false;
    }
    // The name's hint first: if the tombstone then lands and nothing else does, listing names still looks closer.
    store.put(Layout.deletedName(name), DELETED_HINT, Condition.IF_ABSENT);
    Instant now = clock.instant();
    StoredManifest.Deletion deletion = new StoredManifest.Deletion(now, Uuids.newUuid(clock));
    StoredManifest tombstone = new StoredManifest(current.get().value().manifest(),
        supersede(current.get().value(), now), deletion);
    if (store.put(Layout.manifest(name, version), Json.write(tombstone), Condition.ifMatch(expectedEtag)).isEmpty()
        && !readStored(name, version).map(s -> deletion.equals(s.value().deleted())).orElse(false)) {
      return false; // changed meanwhile (and not by our own write behind a lost response)
    }
    store.put(Layout.deletedHint(name, version), DELETED_HINT, Condition.IF_ABSENT);
    return true;
  }

  /** The attempts a replacement of {@code current} keeps for the grace period: its own, and younger ones. */
  private List<StoredManifest.Superseded> supersede(StoredManifest current, Instant now) {
    Instant cutoff = now.minus(grace);
    List<StoredManifest.Superseded> kept = new ArrayList<>();
    current.superseded().stream().filter(s -> s.at().isAfter(cutoff)).forEach(kept::add);
    if (!current.isDeleted()) {
      kept.add(new StoredManifest.Superseded(current.manifest().uuid(), now));
    }
    return kept;
  }

  @Override
  public Optional<Stamped<TagRecord>> readTag(String name, String tag) throws IOException {
    return readDocument(Layout.tag(name, tag), TagRecord.class, "tag");
  }

  @Override
  public boolean writeTag(String name, String tag, TagRecord record, @Nullable String expectedEtag)
      throws IOException {
    beforeWrite();
    return store.put(Layout.tag(name, tag), Json.write(record), condition(expectedEtag)).isPresent();
  }

  @Override
  public List<String> listTags(String name) throws IOException {
    List<String> tags = new ArrayList<>();
    for (BlobInfo blob : store.listAll(Layout.tags(name), true).blobs()) {
      tags.add(Layout.leaf(blob.key()));
    }
    return tags;
  }

  @Override
  public JanitorReport janitor(boolean apply) throws IOException {
    Instant now = clock.instant();
    Instant cutoff = now.minus(grace);
    List<String> orphans = new ArrayList<>();
    long files = 0;
    long bytes = 0;
    int kept = 0;
    for (String namePrefix : store.listAll(Layout.OBJECTS, true).prefixes()) {
      Optional<String> name = decodeName(Layout.leaf(namePrefix));
      if (name.isEmpty()) {
        continue;
      }
      Optional<Set<String>> referenced = referencedAttempts(name.get(), cutoff, apply);
      if (referenced.isEmpty()) {
        continue; // an unreadable manifest may reference anything: leave this name alone
      }
      for (String attemptPrefix : store.listAll(namePrefix, true).prefixes()) {
        String uuid = Layout.leaf(attemptPrefix);
        if (referenced.get().contains(uuid)) {
          continue;
        }
        List<BlobInfo> attemptFiles = store.listAll(attemptPrefix, false).blobs();
        if (attemptFiles.isEmpty()) {
          continue; // a prefix without objects (a filesystem-backed server's empty directory): nothing to reclaim
        }
        Instant newest = Uuids.startOf(uuid).orElse(Instant.EPOCH);
        for (BlobInfo f : attemptFiles) {
          newest = f.lastModified().isAfter(newest) ? f.lastModified() : newest;
        }
        if (!newest.isBefore(cutoff)) {
          kept++;
          continue;
        }
        orphans.add(name.get() + "/" + uuid);
        for (BlobInfo f : attemptFiles) {
          files++;
          bytes += f.size();
          if (apply) {
            store.delete(f.key(), Condition.NONE);
          }
        }
      }
    }
    return new JanitorReport(apply, orphans, files, bytes, kept);
  }

  /**
   * Attempts referenced by a manifest of {@code name}, or replaced by one after {@code cutoff}; empty when a
   * manifest cannot be read. An applied run writes the deletion hint a crashed delete left out.
   */
  private Optional<Set<String>> referencedAttempts(String name, Instant cutoff, boolean apply) throws IOException {
    Set<String> referenced = new HashSet<>();
    VersionListing listing = listing(name);
    for (Version v : listing.committed()) {
      Optional<Stamped<StoredManifest>> stored;
      try {
        stored = readStored(name, v);
      } catch (IntegrityException unreadable) {
        return Optional.empty();
      }
      if (stored.isEmpty()) {
        continue;
      }
      StoredManifest doc = stored.get().value();
      if (!doc.isDeleted()) {
        referenced.add(doc.manifest().uuid());
      } else if (apply && !listing.deleted().contains(v)) {
        store.put(Layout.deletedHint(name, v), DELETED_HINT, Condition.IF_ABSENT);
      }
      doc.superseded().stream().filter(r -> r.at().isAfter(cutoff)).forEach(r -> referenced.add(r.uuid()));
    }
    return Optional.of(referenced);
  }

  @Override
  public void close() throws IOException {
    store.close();
  }

  private <T> Optional<Stamped<T>> readDocument(String key, Class<T> type, String what) throws IOException {
    Optional<BlobContent> content = store.get(key);
    if (content.isEmpty()) {
      return Optional.empty();
    }
    String etag = content.get().info().etag();
    byte[] bytes = content.get().readAllAndClose();
    try {
      return Optional.of(new Stamped<>(Json.read(bytes, type), etag));
    } catch (Json.MalformedDocumentException e) {
      throw new IntegrityException(what + " at " + scheme() + " key '" + key + "' is malformed (" + e.getMessage()
          + "): it was truncated, corrupted or written by something else");
    }
  }

  private static Condition condition(@Nullable String expectedEtag) {
    return expectedEtag == null ? Condition.IF_ABSENT : Condition.ifMatch(expectedEtag);
  }

  private static Optional<String> decodeName(String encoded) {
    try {
      String name = Names.decode(encoded);
      return Names.isValidName(name) && Names.encode(name).equals(encoded) ? Optional.of(name) : Optional.empty();
    } catch (IllegalArgumentException foreign) {
      return Optional.empty();
    }
  }

  /** One write attempt: a uuid folder and the keys written into it. */
  private final class Attempt implements StagedVersion {
    private final String name;
    private final String uuid;
    private final Instant started;
    private final List<String> written = new ArrayList<>();
    private boolean committed;
    private boolean uncertain;

    Attempt(String name, String uuid, Instant started) {
      this.name = name;
      this.uuid = uuid;
      this.started = started;
    }

    @Override
    public String uuid() {
      return uuid;
    }

    @Override
    public OutputStream create(String path) throws IOException {
      String key = Layout.file(name, uuid, Names.requirePath(path));
      BlobOutput blob = store.create(key, Condition.NONE);
      written.add(key);
      return new FilterOutputStream(blob) {
        private boolean closed;

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          blob.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          if (closed) {
            return;
          }
          closed = true;
          try (blob) {
            blob.commit();
          }
        }
      };
    }

    @Override
    public Optional<String> commit(Manifest manifest, @Nullable String expectedEtag) throws IOException {
      if (!manifest.uuid().equals(uuid) || !manifest.name().equals(name)) {
        throw new IllegalArgumentException("manifest does not belong to this write attempt");
      }
      Instant now = clock.instant();
      if (Duration.between(started, now).compareTo(grace.dividedBy(2)) > 0) {
        throw new RegistryException("write of " + name + " started at " + started + " and is committing at " + now
            + ", more than half the janitor grace period (" + grace + ") later; the janitor may already be"
            + " removing its files. Raise Registry.builder().gracePeriod(...) above twice the longest upload.");
      }
      String key = Layout.manifest(name, manifest.version());
      Optional<String> etag;
      try {
        etag = put(key, manifest, expectedEtag, now);
      } catch (IOException unknown) {
        // It may have landed: if the manifest there is ours, it did; if that cannot be told, keep the files.
        uncertain = true;
        try {
          etag = ownCommit(manifest.version());
        } catch (IOException | RuntimeException alsoFailed) {
          unknown.addSuppressed(alsoFailed);
          throw unknown;
        }
        if (etag.isEmpty()) {
          throw unknown;
        }
      }
      if (etag.isEmpty()) {
        etag = ownCommit(manifest.version());
      }
      committed |= etag.isPresent();
      return etag;
    }

    private Optional<String> put(String key, Manifest manifest, @Nullable String expectedEtag, Instant now)
        throws IOException {
      if (expectedEtag == null) {
        return store.put(key, Json.write(new StoredManifest(manifest, List.of())), Condition.IF_ABSENT);
      }
      Optional<Stamped<StoredManifest>> current = readStored(name, manifest.version());
      if (current.isEmpty() || !current.get().etag().equals(expectedEtag)) {
        return Optional.empty();
      }
      if (current.get().value().isDeleted()) {
        // Saving an unversioned name again after a delete: its hint goes first, so a crash between the two
        // leaves a listed tombstone (read as absent), never a committed version that listing hides.
        store.delete(Layout.deletedHint(name, manifest.version()), Condition.NONE);
      }
      StoredManifest replacement = new StoredManifest(manifest, supersede(current.get().value(), now));
      return store.put(key, Json.write(replacement), Condition.ifMatch(expectedEtag));
    }

    /**
     * After a failed condition, whether the manifest there is this attempt's own: a client that retried a
     * commit whose first response was lost sees its own write as a conflict (412), yet the version is ours.
     */
    private Optional<String> ownCommit(Version version) throws IOException {
      Optional<Stamped<StoredManifest>> stored = readStored(name, version);
      return stored.filter(s -> !s.value().isDeleted() && s.value().manifest().uuid().equals(uuid))
          .map(Stamped::etag);
    }

    @Override
    public void close() throws IOException {
      if (committed || uncertain) {
        return; // a manifest may reference the files: only the janitor, which reads them all, may remove them
      }
      for (String key : written) {
        try {
          store.delete(key, Condition.NONE);
        } catch (IOException leftForJanitor) {
          // the janitor reclaims what cannot be removed now
        }
      }
    }
  }
}
