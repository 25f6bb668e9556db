package dev.arca.registry.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.arca.registry.FileEntry;
import dev.arca.registry.JanitorReport;
import dev.arca.registry.Manifest;
import dev.arca.registry.Version;
import dev.arca.registry.VerifyLevel;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.RegistrySettings;
import dev.arca.registry.spi.Stamped;
import dev.arca.registry.spi.StagedVersion;
import dev.arca.registry.spi.TagRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * A remote backend seen through the local cache: manifests and version lists in memory (Caffeine), file bytes
 * in a {@link DiskCache} keyed by sha256. Under {@link VerifyLevel#FULL} every manifest is read from the remote
 * (so a remote overwrite is seen, and an unreachable remote is an error, never a stale answer); file bytes are
 * content-addressed, so a cached copy is valid whenever it hashes right, which the reader checks while reading
 * (or, for readers that cannot start over, {@link #openChecked} before serving it). The disk cache never fails a
 * read the remote can serve: its storage faults fall back to remote reads (see {@link DiskCache}). Writes go
 * straight to the remote and, once acknowledged, drop what they change from the caches; a read begun before that
 * does not put its older answer back. Thread-safe.
 */
public final class CachingBackend implements Backend {

  /** How long a version list is trusted for {@code latest} resolution. */
  public static final Duration LIST_TTL = Duration.ofSeconds(2);

  /** How long a manifest is trusted under INTEGRITY (a mutable registry's overwrite is seen after this). */
  public static final Duration MANIFEST_TTL = Duration.ofSeconds(30);

  private record VersionKey(String name, Version version) {}

  private final Backend remote;
  private final DiskCache files;
  private final VerifyLevel verify;
  private final FillGuardedCache<VersionKey, Stamped<Manifest>> manifests;
  private final FillGuardedCache<String, List<Version>> versions;

  public CachingBackend(Backend remote, DiskCache files, VerifyLevel verify) {
    this.remote = remote;
    this.files = files;
    this.verify = verify;
    this.manifests = new FillGuardedCache<>(MANIFEST_TTL);
    this.versions = new FillGuardedCache<>(LIST_TTL);
  }

  /**
   * A Caffeine cache in which an invalidation wins over every fill that read its value before it: a reader takes
   * a ticket before asking the remote and fills with it; a writer bumps the key's generation once its change is
   * acknowledged, then removes the entry. The fill compares generations inside Caffeine's per-key atomic compute,
   * which the removal also takes, so a value read before the change is either removed after being stored or
   * never stored. Generations are striped (a write to one key may cost a fill of another key in its stripe, never
   * a stale answer), so the guard takes fixed memory however many keys pass through.
   */
  private static final class FillGuardedCache<K, V> {

    private static final int STRIPES = 256;

    private final Cache<K, V> cache;
    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);

    FillGuardedCache(Duration ttl) {
      // Maintenance (eviction, expiry) runs on the calling thread, as it is small: handing it to the common pool
      // woke a pool thread at each fill, about 2% of a cold load's time in a profile of C2 (docs/benchmarks).
      this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(ttl).executor(Runnable::run).build();
    }

    @Nullable V getIfPresent(K key) {
      return cache.getIfPresent(key);
    }

    /** Taken before the remote is asked; hand it to {@link #fill}. */
    long ticket(K key) {
      return generations.get(stripe(key));
    }

    /** Stores a value read from the remote, unless the key was invalidated since its ticket was taken. */
    void fill(K key, long ticket, V value) {
      if (generations.get(stripe(key)) != ticket) {
        return; // checked first too, so a losing fill does not rewrite (and re-time) the entry
      }
      cache.asMap().compute(key, (k, old) -> generations.get(stripe(k)) == ticket ? value : old);
    }

    /** Drops an entry a reader found gone; not a change, so concurrent fills stand. */
    void remove(K key) {
      cache.invalidate(key);
    }

    /** Called after a change to the key was acknowledged: no read begun before it may fill afterwards. */
    void invalidate(K key) {
      generations.incrementAndGet(stripe(key));
      cache.invalidate(key);
    }

    private static int stripe(Object key) {
      return Math.floorMod(key.hashCode() * 0x9E3779B9, STRIPES);
    }
  }

  /** The remote backend itself, bypassing both caches (for checking what the remote holds). */
  public Backend remote() {
    return remote;
  }

  /** The disk cache. */
  public DiskCache files() {
    return files;
  }

  /** Forgets a version's cached manifest and file bytes, after they failed verification. */
  public void invalidate(Manifest manifest) {
    manifests.invalidate(new VersionKey(manifest.name(), manifest.version()));
    for (FileEntry f : manifest.files()) {
      files.invalidate(f.sha256());
    }
  }

  @Override
  public String scheme() {
    return remote.scheme();
  }

  @Override
  public Capabilities capabilities() {
    return remote.capabilities();
  }

  @Override
  public Optional<Stamped<RegistrySettings>> readSettings() throws IOException {
    return remote.readSettings();
  }

  @Override
  public boolean writeSettings(RegistrySettings settings, @Nullable String expectedEtag) throws IOException {
    return remote.writeSettings(settings, expectedEtag);
  }

  @Override
  public StagedVersion stage(String name, Duration gracePeriod) throws IOException {
    StagedVersion staged = remote.stage(name, gracePeriod);
    return new StagedVersion() {
      @Override
      public String uuid() {
        return staged.uuid();
      }

      @Override
      public OutputStream create(String path) throws IOException {
        return staged.create(path);
      }

      @Override
      public Optional<String> commit(Manifest manifest, @Nullable String expectedEtag) throws IOException {
        try {
          return staged.commit(manifest, expectedEtag);
        } finally {
          forget(manifest.name(), manifest.version());
        }
      }

      @Override
      public void close() throws IOException {
        staged.close();
      }
    };
  }

  @Override
  public Optional<Stamped<Manifest>> readManifest(String name, Version version) throws IOException {
    VersionKey key = new VersionKey(name, version);
    if (verify != VerifyLevel.FULL) {
      Stamped<Manifest> cached = manifests.getIfPresent(key);
      if (cached != null) {
        return Optional.of(cached);
      }
    }
    long ticket = manifests.ticket(key);
    Optional<Stamped<Manifest>> fresh = remote.readManifest(name, version);
    fresh.ifPresentOrElse(m -> manifests.fill(key, ticket, m), () -> manifests.remove(key));
    return fresh;
  }

  @Override
  public InputStream openFile(Manifest manifest, FileEntry file) throws IOException {
    return open(manifest, file, false);
  }

  /**
   * Opens a file like {@link #openFile}, but under INTEGRITY and FULL a cached copy is checked against the manifest
   * before its first byte is served, and a corrupt one is dropped and fetched again. For readers that pass bytes
   * on as they read them ({@code Registry.openFile}, {@code copyTo}), so cannot start over the way a load does when
   * the check at the end of the stream fails. Costs one extra read of a cached file.
   */
  public InputStream openChecked(Manifest manifest, FileEntry file) throws IOException {
    return open(manifest, file, verify != VerifyLevel.NONE);
  }

  private InputStream open(Manifest manifest, FileEntry file, boolean checkCached) throws IOException {
    return files.open(file.sha256(), file.size(), checkCached, () -> remote.openFile(manifest, file),
        manifest.name() + "@" + manifest.version() + " file '" + file.path() + "'");
  }

  @Override
  public List<String> listNames() throws IOException {
    return remote.listNames();
  }

  @Override
  public List<Version> listVersions(String name) throws IOException {
    if (verify != VerifyLevel.FULL) {
      List<Version> cached = versions.getIfPresent(name);
      if (cached != null) {
        return cached;
      }
    }
    long ticket = versions.ticket(name);
    List<Version> fresh = remote.listVersions(name);
    versions.fill(name, ticket, List.copyOf(fresh));
    return fresh;
  }

  @Override
  public boolean deleteVersion(Manifest manifest, String expectedEtag) throws IOException {
    try {
      return remote.deleteVersion(manifest, expectedEtag);
    } finally {
      forget(manifest.name(), manifest.version());
    }
  }

  @Override
  public Optional<Version> lastVersion(String name) throws IOException {
    return remote.lastVersion(name);
  }

  @Override
  public Optional<String> tombstone(String name, Version version) throws IOException {
    return remote.tombstone(name, version);
  }

  @Override
  public Optional<Stamped<TagRecord>> readTag(String name, String tag) throws IOException {
    return remote.readTag(name, tag);
  }

  @Override
  public boolean writeTag(String name, String tag, TagRecord record, @Nullable String expectedEtag)
      throws IOException {
    return remote.writeTag(name, tag, record, expectedEtag);
  }


  @Override
  public List<String> listTags(String name) throws IOException {
    return remote.listTags(name);
  }

  @Override
  public JanitorReport janitor(boolean apply, Duration gracePeriod) throws IOException {
    return remote.janitor(apply, gracePeriod);
  }

  @Override
  public void close() throws IOException {
    remote.close();
  }

  private void forget(String name, Version version) {
    manifests.invalidate(new VersionKey(name, version));
    versions.invalidate(name);
  }
}
