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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
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
 * <p>Ages are the store's: the janitor compares the files' last-modified times with the store's clock, and
 * replaced attempts with the time the store stamped on the manifest that replaced them; the grace period is the
 * registry's (one for every process). A write attempt that has not committed within half the grace period of its
 * start, by a monotonic clock, is refused at commit, since its files could then be old enough for the janitor;
 * one whose commit returned only after a whole grace period checks that its files are all still there.
 *
 * <p>Opening writes nothing: the conditional-write probe runs before this instance's first write.
 *
 * <p>Thread-safe.
 */
public final class ObjectStoreBackend implements Backend {

  private static final byte[] DELETED_HINT = "deleted".getBytes(StandardCharsets.UTF_8);

  private final BlobStore store;
  private final Clock clock;
  private final LongSupplier ticker;
  private volatile boolean probed;

  /**
   * Runs the protocol over a store.
   *
   * @param store the store
   * @param clock stamps manifests and uuids; the protocol's safety never depends on it
   * @param ticker a monotonic clock in nanoseconds ({@code System::nanoTime}): how long a write attempt took
   * @param probe whether to check, before the first write, that a remote store really honours conditions
   */
  public ObjectStoreBackend(BlobStore store, Clock clock, LongSupplier ticker, boolean probe) {
    this.store = store;
    this.clock = clock;
    this.ticker = ticker;
    this.probed = !probe || !store.capabilities().remote();
  }

  /**
   * Probes the store before the first write of this instance. Threads that race here each probe (with keys of
   * their own): no lock is held across a store call.
   */
  private void beforeWrite() throws IOException {
    if (!probed) {
      probeConditionalWrites();
      probed = true;
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
      if (store.put(key, probeBody("replace"), Condition.ifMatch(created.get())).isEmpty()) {
        throw new UnsupportedCapabilityException(store.scheme() + ": the store refused a replace whose etag"
            + " matched (If-Match); it does not implement conditional writes correctly");
      }
      // The stale etag is one the store really handed out: a made-up one can pass where a real one would not
      // (Ceph's RADOS Gateway accepts If-Match "<current etag>-stale").
      if (store.put(key, probeBody("stale replace"), Condition.ifMatch(created.get())).isPresent()) {
        throw ignored("a replace whose etag did not match", "If-Match");
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
  public StagedVersion stage(String name, Duration gracePeriod) throws IOException {
    Names.requireName(name);
    beforeWrite();
    return new Attempt(name, Uuids.newUuid(clock), gracePeriod);
  }

  @Override
  public Optional<Stamped<Manifest>> readManifest(String name, Version version) throws IOException {
    return readStored(name, version).filter(s -> !s.doc().isDeleted())
        .map(s -> new Stamped<>(s.doc().manifest(), s.etag()));
  }

  @Override
  public Optional<String> tombstone(String name, Version version) throws IOException {
    return readStored(name, version).filter(s -> s.doc().isDeleted()).map(Stored::etag);
  }

  /** A stored manifest document, its etag, and when the store last wrote it (by the store's clock). */
  private record Stored(StoredManifest doc, String etag, Instant modified) {}

  private Optional<Stored> readStored(String name, Version version) throws IOException {
    String key = Layout.manifest(name, version);
    Optional<BlobContent> content = store.get(key);
    if (content.isEmpty()) {
      return Optional.empty();
    }
    BlobInfo info = content.get().info();
    Optional<Stored> stored = Optional.of(new Stored(parse(key, content.get().readAllAndClose(),
        StoredManifest.class, "manifest of " + name + "@" + version), info.etag(), info.lastModified()));
    stored.ifPresent(s -> {
      Manifest m = s.doc().manifest();
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
    Optional<Stored> current = readStored(name, version);
    if (current.isEmpty() || current.get().doc().isDeleted() || !current.get().etag().equals(expectedEtag)) {
      return false;
    }
    // The name's hint first: if the tombstone then lands and nothing else does, listing names still looks closer.
    store.put(Layout.deletedName(name), DELETED_HINT, Condition.IF_ABSENT);
    Instant now = clock.instant();
    StoredManifest.Deletion deletion = new StoredManifest.Deletion(now, Uuids.newUuid(clock));
    StoredManifest tombstone = new StoredManifest(current.get().doc().manifest(), supersede(current.get(), null), deletion);
    if (store.put(Layout.manifest(name, version), Json.write(tombstone), Condition.ifMatch(expectedEtag)).isEmpty()
        && !readStored(name, version).map(s -> deletion.equals(s.doc().deleted())).orElse(false)) {
      return false; // changed meanwhile (and not by our own write behind a lost response)
    }
    store.put(Layout.deletedHint(name, version), DELETED_HINT, Condition.IF_ABSENT);
    return true;
  }

  /**
   * The replaced attempts a document written over {@code current} records: its own attempt (replaced now, at the
   * time the store will stamp on the new document) and those {@code current} recorded. The ones replaced by an
   * earlier write get that write's time, which is {@code current}'s last-modified time by the store's clock; those
   * replaced more than {@code grace} before it are dropped (the janitor no longer keeps their files). Dropping
   * late is harmless, so a caller that does not know the grace period passes null and drops none.
   */
  private static List<StoredManifest.Superseded> supersede(Stored current, @Nullable Duration grace) {
    Instant replacedAt = current.modified();
    Instant cutoff = grace == null ? Instant.MIN : replacedAt.minus(grace);
    List<StoredManifest.Superseded> kept = new ArrayList<>();
    for (StoredManifest.Superseded s : current.doc().superseded()) {
      Instant at = s.at() != null ? s.at() : replacedAt;
      if (at.isAfter(cutoff)) {
        kept.add(new StoredManifest.Superseded(s.uuid(), at));
      }
    }
    if (!current.doc().isDeleted()) {
      kept.add(new StoredManifest.Superseded(current.doc().manifest().uuid(), null));
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
  public JanitorReport janitor(boolean apply, Duration gracePeriod) throws IOException {
    if (apply) {
      store.removeAbandonedWrites();
    }
    Instant cutoff = storeNow().minus(gracePeriod);
    List<String> orphans = new ArrayList<>();
    long files = 0;
    long bytes = 0;
    int kept = 0;
    for (String namePrefix : store.listAll(Layout.OBJECTS, true).prefixes()) {
      Optional<String> name = decodeName(Layout.leaf(namePrefix));
      if (name.isEmpty()) {
        continue;
      }
      // Attempts are listed before the manifests are read: a commit that landed before an attempt was listed is
      // seen, and one that lands later must have started after its files were written, within the grace period.
      List<String> attempts = store.listAll(namePrefix, true).prefixes();
      Map<String, List<BlobInfo>> old = new LinkedHashMap<>();
      for (String attemptPrefix : attempts) {
        List<BlobInfo> attemptFiles = store.listAll(attemptPrefix, false).blobs();
        if (attemptFiles.isEmpty()) {
          continue; // a prefix without objects (a filesystem-backed server's empty directory): nothing to reclaim
        }
        if (attemptFiles.stream().allMatch(f -> f.lastModified().isBefore(cutoff))) {
          old.put(Layout.leaf(attemptPrefix), attemptFiles);
        }
      }
      Optional<Set<String>> referenced = referencedAttempts(name.get(), cutoff, apply);
      if (referenced.isEmpty()) {
        continue; // an unreadable manifest may reference anything: leave this name alone
      }
      for (String attemptPrefix : attempts) {
        String uuid = Layout.leaf(attemptPrefix);
        List<BlobInfo> attemptFiles = old.get(uuid);
        if (referenced.get().contains(uuid)) {
          continue;
        }
        if (attemptFiles == null) {
          kept++; // young, or empty: an in-flight write, or a replaced one within the grace period
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
   * The store's time: its own clock where it tells it, else the time it stamps on a small object written for the
   * purpose (and removed), so that no process's clock decides what is old.
   */
  private Instant storeNow() throws IOException {
    Optional<Instant> told = store.now();
    if (told.isPresent()) {
      return told.get();
    }
    String key = Layout.PROBE + "clock-" + Uuids.newUuid(clock);
    store.put(key, new byte[0], Condition.NONE);
    try {
      return store.head(key).orElseThrow(() -> new IOException("the janitor's clock object " + key
          + " vanished right after it was written")).lastModified();
    } finally {
      store.delete(key, Condition.NONE);
    }
  }

  /**
   * Attempts referenced by a manifest of {@code name}, or replaced by one after {@code cutoff} (by the store's
   * clock); empty when a manifest cannot be read. An applied run writes the deletion hint a crashed delete left
   * out.
   */
  private Optional<Set<String>> referencedAttempts(String name, Instant cutoff, boolean apply) throws IOException {
    Set<String> referenced = new HashSet<>();
    VersionListing listing = listing(name);
    for (Version v : listing.committed()) {
      Optional<Stored> stored;
      try {
        stored = readStored(name, v);
      } catch (IntegrityException unreadable) {
        return Optional.empty();
      }
      if (stored.isEmpty()) {
        continue;
      }
      StoredManifest doc = stored.get().doc();
      if (!doc.isDeleted()) {
        referenced.add(doc.manifest().uuid());
      } else if (apply && !listing.deleted().contains(v)) {
        store.put(Layout.deletedHint(name, v), DELETED_HINT, Condition.IF_ABSENT);
      }
      for (StoredManifest.Superseded r : doc.superseded()) {
        Instant replaced = r.at() != null ? r.at() : stored.get().modified();
        if (replaced.isAfter(cutoff)) {
          referenced.add(r.uuid());
        }
      }
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
    return Optional.of(new Stamped<>(parse(key, content.get().readAllAndClose(), type, what), etag));
  }

  private <T> T parse(String key, byte[] bytes, Class<T> type, String what) {
    try {
      return Json.read(bytes, type);
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
    private final Duration grace;
    private final long startedNanos;
    private final List<String> written = new ArrayList<>();
    private boolean committed;
    private boolean uncertain;
    private boolean replacedOurs;

    Attempt(String name, String uuid, Duration grace) {
      this.name = name;
      this.uuid = uuid;
      this.grace = grace;
      this.startedNanos = ticker.getAsLong(); // before the first file: every file is younger than this
    }

    private Duration elapsed() {
      return Duration.ofNanos(ticker.getAsLong() - startedNanos);
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
      Duration took = elapsed();
      if (took.compareTo(grace.dividedBy(2)) > 0) {
        throw new RegistryException("write of " + name + " took " + took + " before its commit, more than half"
            + " the registry's janitor grace period (" + grace + "); the janitor may already be removing its"
            + " files. Create the registry with a grace period above twice the longest upload"
            + " (Registry.builder().gracePeriod(...)).");
      }
      String key = Layout.manifest(name, manifest.version());
      Optional<String> etag;
      try {
        etag = put(key, manifest, expectedEtag);
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
        boolean wasUncertain = uncertain; // an earlier commit of this attempt (another number) may have landed
        uncertain = true; // until the read-back answers: a lost response may hide our own write
        etag = ownCommit(manifest.version());
        uncertain = wasUncertain || etag.isEmpty() && replacedOurs;
      }
      committed |= etag.isPresent();
      if (etag.isPresent() && elapsed().compareTo(grace) >= 0) {
        requireFilesStillThere(manifest, etag.get());
      }
      return etag;
    }

    /**
     * A commit that returned a whole grace period after the attempt started may have landed after the janitor
     * judged the files old: if any is gone, the version is broken, so it is deleted again, and the save fails.
     */
    private void requireFilesStillThere(Manifest manifest, String etag) throws IOException {
      Set<String> present = new HashSet<>();
      store.listAll(Layout.attempt(name, uuid), false).blobs().forEach(b -> present.add(b.key()));
      if (!present.containsAll(written)) {
        deleteVersion(manifest, etag);
        throw new RegistryException("the commit of " + name + "@" + manifest.version() + " returned after "
            + elapsed() + ", longer than the registry's grace period (" + grace + "), and the janitor had removed"
            + " some of its files meanwhile; the version was deleted again: save it anew", null, true);
      }
    }

    private Optional<String> put(String key, Manifest manifest, @Nullable String expectedEtag) throws IOException {
      if (expectedEtag == null) {
        return store.put(key, Json.write(new StoredManifest(manifest, List.of())), Condition.IF_ABSENT);
      }
      Optional<Stored> current = readStored(name, manifest.version());
      if (current.isEmpty() || !current.get().etag().equals(expectedEtag)) {
        return Optional.empty();
      }
      if (current.get().doc().isDeleted()) {
        // Saving an unversioned name again after a delete: its hint goes first, so a crash between the two
        // leaves a listed tombstone (read as absent), never a committed version that listing hides.
        store.delete(Layout.deletedHint(name, manifest.version()), Condition.NONE);
      }
      StoredManifest replacement = new StoredManifest(manifest, supersede(current.get(), grace));
      return store.put(key, Json.write(replacement), Condition.ifMatch(expectedEtag));
    }

    /**
     * After a failed condition, whether the manifest there is this attempt's own: a client that retried a
     * commit whose first response was lost sees its own write as a conflict (412), yet the version is ours.
     */
    private Optional<String> ownCommit(Version version) throws IOException {
      Optional<Stored> there = readStored(name, version);
      replacedOurs = there.isPresent() && there.get().doc().superseded().stream()
          .anyMatch(s -> s.uuid().equals(uuid)); // ours landed, then an overwrite or a delete replaced it
      return there.filter(s -> !s.doc().isDeleted() && s.doc().manifest().uuid().equals(uuid)).map(Stored::etag);
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
