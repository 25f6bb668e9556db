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
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A remote backend seen through the local cache: manifests and version lists in memory (Caffeine), file bytes
 * in a {@link DiskCache} keyed by sha256. Under {@link VerifyLevel#FULL} every manifest is read from the remote
 * (so a remote overwrite is seen, and an unreachable remote is an error, never a stale answer); file bytes are
 * content-addressed, so a cached copy is valid whenever it hashes right, which the reader checks while reading.
 * Writes go straight to the remote and drop what they change from the caches. Thread-safe.
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
  private final Cache<VersionKey, Stamped<Manifest>> manifests;
  private final Cache<String, List<Version>> versions;

  public CachingBackend(Backend remote, DiskCache files, VerifyLevel verify) {
    this.remote = remote;
    this.files = files;
    this.verify = verify;
    this.manifests = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(MANIFEST_TTL).build();
    this.versions = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(LIST_TTL).build();
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
    Optional<Stamped<Manifest>> fresh = remote.readManifest(name, version);
    fresh.ifPresentOrElse(m -> manifests.put(key, m), () -> manifests.invalidate(key));
    return fresh;
  }

  @Override
  public InputStream openFile(Manifest manifest, FileEntry file) throws IOException {
    if (!files.fits(file.size())) {
      return remote.openFile(manifest, file);
    }
    DiskCache.Source source = () -> remote.openFile(manifest, file);
    String what = manifest.name() + "@" + manifest.version() + " file '" + file.path() + "'";
    Optional<Path> cached = files.lookup(file.sha256());
    Path path = cached.isPresent() ? cached.get() : files.fetch(file.sha256(), file.size(), source, what);
    try {
      return Files.newInputStream(path);
    } catch (NoSuchFileException evictedMeanwhile) {
      return Files.newInputStream(files.fetch(file.sha256(), file.size(), source, what));
    }
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
    List<Version> fresh = remote.listVersions(name);
    versions.put(name, List.copyOf(fresh));
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
