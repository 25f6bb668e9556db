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
 * <p>A write attempt that has not committed within half the grace period of its start is refused at commit:
 * past that the janitor could already be removing its files.
 *
 * <p>Thread-safe.
 */
public final class ObjectStoreBackend implements Backend {

  private final BlobStore store;
  private final Clock clock;
  private final Duration grace;

  public ObjectStoreBackend(BlobStore store, Clock clock, Duration grace) {
    this.store = store;
    this.clock = clock;
    this.grace = grace;
  }

  /**
   * Checks that the store really refuses a second create-if-absent of one key. A store that silently ignores
   * the condition would let two writers both "win" a version, so it is refused before anything is written.
   */
  public void probeConditionalWrites() throws IOException {
    String key = Layout.PROBE + Uuids.newUuid(clock);
    byte[] body = "arca conditional-write probe".getBytes(StandardCharsets.UTF_8);
    try {
      if (store.put(key, body, Condition.IF_ABSENT).isEmpty()) {
        throw new UnsupportedCapabilityException(store.scheme() + ": the store refused to create a new key"
            + " with a create-if-absent condition; it does not implement conditional writes correctly");
      }
      // Different bytes the second time: stores treat a 412 that met identical bytes as their own lost response.
      byte[] second = "arca conditional-write probe, second writer".getBytes(StandardCharsets.UTF_8);
      if (store.put(key, second, Condition.IF_ABSENT).isPresent()) {
        throw new UnsupportedCapabilityException(store.scheme() + ": the store accepted a second"
            + " create-if-absent of the same key, so it ignores conditional writes (If-None-Match).\n"
            + "Racing writers could then both commit one version and silently lose data. Use a server that"
            + " supports conditional writes, or, if only one writer will ever use this registry, open it with"
            + " Registry.builder().skipConditionalWriteProbe().");
      }
    } finally {
      store.delete(key, Condition.NONE);
    }
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
    return store.put(Layout.SETTINGS, Json.write(settings), condition(expectedEtag)).isPresent();
  }

  @Override
  public StagedVersion stage(String name) throws IOException {
    Names.requireName(name);
    return new Attempt(name, Uuids.newUuid(clock), clock.instant());
  }

  @Override
  public Optional<Stamped<Manifest>> readManifest(String name, Version version) throws IOException {
    Optional<Stamped<StoredManifest>> stored = readStored(name, version);
    return stored.map(s -> new Stamped<>(s.value().manifest(), s.etag()));
  }

  private Optional<Stamped<StoredManifest>> readStored(String name, Version version) throws IOException {
    String key = Layout.manifest(name, version);
    Optional<Stamped<StoredManifest>> stored = readDocument(key, StoredManifest.class, "manifest of " + name + "@"
        + version);
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
    List<String> names = new ArrayList<>();
    for (String prefix : store.listAll(Layout.META, true).prefixes()) {
      decodeName(Layout.leaf(prefix)).ifPresent(names::add);
    }
    names.sort(null);
    return names;
  }

  @Override
  public List<Version> listVersions(String name) throws IOException {
    List<Version> versions = new ArrayList<>();
    for (BlobInfo blob : store.listAll(Layout.versions(name), true).blobs()) {
      String leaf = Layout.leaf(blob.key());
      if (blob.key().endsWith(".json")) {
        try {
          versions.add(Version.parseCanonical(leaf));
        } catch (IllegalArgumentException foreign) {
          // not a manifest this library wrote; never surface it as a version
        }
      }
    }
    versions.sort(null);
    return versions;
  }

  @Override
  public boolean deleteVersion(Manifest manifest, String expectedEtag) throws IOException {
    String key = Layout.manifest(manifest.name(), manifest.version());
    if (!deleteIfMatch(key, expectedEtag)) {
      return false;
    }
    deleteAll(Layout.attempt(manifest.name(), manifest.uuid()));
    return true;
  }

  @Override
  public Optional<Stamped<TagRecord>> readTag(String name, String tag) throws IOException {
    return readDocument(Layout.tag(name, tag), TagRecord.class, "tag");
  }

  @Override
  public boolean writeTag(String name, String tag, TagRecord record, @Nullable String expectedEtag)
      throws IOException {
    return store.put(Layout.tag(name, tag), Json.write(record), condition(expectedEtag)).isPresent();
  }

  @Override
  public boolean deleteTag(String name, String tag, String expectedEtag) throws IOException {
    return deleteIfMatch(Layout.tag(name, tag), expectedEtag);
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
      Optional<Set<String>> referenced = referencedAttempts(name.get(), cutoff);
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
   * manifest cannot be read.
   */
  private Optional<Set<String>> referencedAttempts(String name, Instant cutoff) throws IOException {
    Set<String> referenced = new HashSet<>();
    for (Version v : listVersions(name)) {
      Optional<Stamped<StoredManifest>> stored;
      try {
        stored = readStored(name, v);
      } catch (IntegrityException unreadable) {
        return Optional.empty();
      }
      stored.ifPresent(s -> {
        referenced.add(s.value().manifest().uuid());
        s.value().superseded().stream().filter(r -> r.at().isAfter(cutoff)).forEach(r -> referenced.add(r.uuid()));
      });
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

  private boolean deleteIfMatch(String key, String etag) throws IOException {
    if (store.capabilities().conditionalDelete()) {
      return store.delete(key, Condition.ifMatch(etag));
    }
    Optional<BlobInfo> head = store.head(key);
    return head.isPresent() && head.get().etag().equals(etag) && store.delete(key, Condition.NONE);
  }

  private void deleteAll(String prefix) throws IOException {
    for (BlobInfo f : store.listAll(prefix, false).blobs()) {
      store.delete(f.key(), Condition.NONE);
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
      if (expectedEtag == null) {
        etag = store.put(key, Json.write(new StoredManifest(manifest, List.of())), Condition.IF_ABSENT);
      } else {
        Optional<Stamped<StoredManifest>> current = readStored(name, manifest.version());
        if (current.isEmpty() || !current.get().etag().equals(expectedEtag)) {
          return Optional.empty();
        }
        List<StoredManifest.Superseded> superseded = new ArrayList<>();
        Instant cutoff = now.minus(grace);
        current.get().value().superseded().stream().filter(s -> s.at().isAfter(cutoff)).forEach(superseded::add);
        superseded.add(new StoredManifest.Superseded(current.get().value().manifest().uuid(), now));
        etag = store.put(key, Json.write(new StoredManifest(manifest, superseded)), Condition.ifMatch(expectedEtag));
      }
      if (etag.isEmpty()) {
        etag = ownCommit(manifest.version());
      }
      committed |= etag.isPresent();
      return etag;
    }

    /**
     * After a failed condition, whether the manifest there is this attempt's own: a client that retried a
     * commit whose first response was lost sees its own write as a conflict (412), yet the version is ours.
     */
    private Optional<String> ownCommit(Version version) throws IOException {
      Optional<Stamped<StoredManifest>> stored = readStored(name, version);
      return stored.filter(s -> s.value().manifest().uuid().equals(uuid)).map(Stamped::etag);
    }

    @Override
    public void close() throws IOException {
      if (committed) {
        return;
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
