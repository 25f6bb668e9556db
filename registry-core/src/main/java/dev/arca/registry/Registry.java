package dev.arca.registry;

import dev.arca.registry.internal.backend.BackendDiscovery;
import dev.arca.registry.internal.backend.CoreBackendContext;
import dev.arca.registry.internal.backend.ReadOnlyBackend;
import dev.arca.registry.internal.cache.CachingBackend;
import dev.arca.registry.internal.cache.DiskCache;
import dev.arca.registry.internal.io.LargeCopy;
import dev.arca.registry.internal.io.VerifyingInputStream;
import dev.arca.registry.internal.materialize.ManifestArtifactReader;
import dev.arca.registry.internal.materialize.MaterializerCatalog;
import dev.arca.registry.internal.materialize.StagedFiles;
import dev.arca.registry.internal.materialize.UntypedLoadTypes;
import dev.arca.registry.spi.ArtifactReader;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Materializer;
import dev.arca.registry.spi.RegistrySettings;
import dev.arca.registry.spi.Stamped;
import dev.arca.registry.spi.StagedVersion;
import dev.arca.registry.spi.TagRecord;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A store of named, versioned objects on one backend. Use it like a map:
 *
 * <pre>{@code
 * try (Registry registry = Registry.local()) {
 *   registry.put("model", weights);                      // saves 1.0.0, then 1.0.1, ...
 *   byte[] w = registry.get("model@1.0.0", byte[].class);
 *   registry.tag("model@1.0.0", "prod");
 *   Config c = registry.get("config#prod", Config.class);
 * }
 * }</pre>
 *
 * <p>Keys are {@code name}, {@code name@version}, {@code name@latest} or {@code name#tag} (see {@link ObjectKey},
 * {@link Names}, {@link Version}). Objects are written and read by {@link Materializer}s, chosen by class.
 *
 * <h2>Consistency</h2>
 * Writes are lock-free MVCC: a save streams its files into a private folder and commits with one conditional
 * create of the version's manifest. Of writers racing for one version exactly one wins; auto-increment gives
 * racing writers distinct, dense versions; readers see a version whole or not at all. An overwrite (mutable
 * registries) swaps the manifest by compare-and-swap and keeps the old files for the grace period, so readers
 * holding the old version finish reading it.
 *
 * <h2>Thread safety and lifecycle</h2>
 * A registry is thread-safe and meant to be shared. It owns its backend: {@link #close()} closes it.
 */
public final class Registry implements Closeable {

  /** Default bound of the local cache of remote files: 10 GiB. */
  public static final long DEFAULT_CACHE_BYTES = 10L << 30;

  /** Default grace period before the janitor may remove unreferenced files. */
  public static final Duration DEFAULT_GRACE_PERIOD = RegistrySettings.DEFAULT_GRACE_PERIOD;

  private static final int TAG_ATTEMPTS = 100;
  /** Creates of a new registry's settings tried before a write gives up. */
  private static final int SETTINGS_CREATE_ATTEMPTS = 5;

  private final Backend backend;
  private final MaterializerCatalog catalog;
  private final VerifyLevel verify;
  private final Clock clock;
  private final UntypedLoadTypes untypedLoads;
  private final String user;
  private final SaveOperation saves;
  private final @Nullable CachingBackend cache;
  private final int batchParallelism;
  /** The stored settings, or, until the first write creates them, the ones a new registry gets. */
  private volatile Stamped<RegistrySettings> settings;
  private final @Nullable Boolean askedVersioned;
  private final @Nullable Boolean askedMutable;
  private final @Nullable Integer askedDigits;
  private final @Nullable Duration askedGrace;
  private final boolean readOnly;
  /** Where the registry is, for messages: its URI without credentials or options, else its store. */
  private final String location;

  private Registry(Builder builder, Backend backend, String location) throws IOException {
    this.backend = backend;
    this.readOnly = builder.readOnly;
    this.location = location;
    this.cache = backend instanceof CachingBackend caching ? caching : null;
    this.batchParallelism = builder.batchParallelism;
    this.catalog = new MaterializerCatalog(builder.materializers, builder.classLoader);
    this.verify = builder.verify;
    this.clock = builder.clock;
    this.untypedLoads = new UntypedLoadTypes(builder.allowedTypes, builder.classLoader);
    this.user = System.getProperty("user.name", "unknown");
    this.saves = new SaveOperation(backend, clock, user);
    this.askedVersioned = builder.versioned;
    this.askedMutable = builder.mutable;
    this.askedDigits = builder.versionDigits;
    this.askedGrace = builder.gracePeriod;
    this.settings = openSettings();
  }

  /**
   * Starts configuring a registry.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the registry at a URI with default settings (or the ones stored there).
   *
   * @param uri e.g. {@code file:///var/arca}, {@code s3://bucket/prefix}
   * @return the open registry
   */
  public static Registry open(URI uri) {
    return builder().uri(uri).build();
  }

  /**
   * Opens the embedded default registry: the local filesystem under {@code $ARCA_HOME}, else
   * {@code ~/.arca/registry}. Needs {@code dev.arca:registry-backend-local} on the classpath.
   *
   * @return the open registry
   */
  public static Registry local() {
    return open(defaultLocation().toUri());
  }

  /**
   * The embedded default's directory: {@code $ARCA_HOME}, else {@code ~/.arca/registry}.
   *
   * @return the directory
   */
  public static Path defaultLocation() {
    String home = System.getenv("ARCA_HOME");
    return home != null && !home.isBlank()
        ? Path.of(home).toAbsolutePath()
        : Path.of(System.getProperty("user.home"), ".arca", "registry");
  }

  // ---------------------------------------------------------------- save

  /**
   * Saves an object under {@code key} with default options: {@code name} auto-increments in a versioned
   * registry, {@code name@version} writes that version, failing if it exists.
   *
   * @param key {@code name} or {@code name@version}
   * @param value the object
   * @return the committed manifest
   * @throws VersionConflictException when the version exists
   */
  public Manifest save(String key, Object value) {
    return save(key, value, SaveOptions.defaults());
  }

  /**
   * Saves an object under {@code key}.
   *
   * @param key {@code name} or {@code name@version}
   * @param value the object
   * @param options conflict policy, metadata, materializer, lineage
   * @return the committed manifest, or the existing one when SKIP kept it
   * @throws VersionConflictException when the version exists and the policy is FAIL
   */
  public Manifest save(String key, Object value, SaveOptions options) {
    return saveOne(ObjectKey.parse(key), value, options).manifest();
  }

  private SaveOperation.Saved saveOne(ObjectKey key, Object value, SaveOptions options) {
    requireWritable("cannot save " + key);
    RegistrySettings current = current();
    Version explicit = explicitVersion(key, current);
    if (options.onConflict() == OnConflict.OVERWRITE && !current.mutable()) {
      throw new UnsupportedCapabilityException("cannot overwrite " + key + ": this registry is immutable; open"
          + " a mutable one with Registry.builder().mutable(true)");
    }
    if (key.name().length() > backend.capabilities().maxNameLength()) {
      throw new UnsupportedCapabilityException("name '" + key.name() + "' is " + key.name().length()
          + " characters; the " + backend.scheme() + " backend holds at most "
          + backend.capabilities().maxNameLength());
    }
    options.dependsOn().forEach(ObjectKey::parse);
    Materializer<?> materializer = catalog.forSave(value.getClass(), options.materializer(), current.materializers());
    try {
      if (beforeWrite() != current) {
        return saveOne(key, value, options); // another process created the registry meanwhile: check again
      }
      return saves.save(key, explicit, value, materializer, options, current);
    } catch (IOException e) {
      throw backendError(e, key.toString());
    }
  }

  /** The version a save targets, or null to auto-increment. */
  private static @Nullable Version explicitVersion(ObjectKey key, RegistrySettings settings) {
    if (key.tag() != null) {
      throw new IllegalArgumentException("cannot save to tag '" + key + "': save name@version, then tag it");
    }
    if ("latest".equals(key.version())) {
      throw new IllegalArgumentException("cannot save to '" + key + "': 'latest' is resolved on read; save"
          + " '" + key.name() + "' to take the next version");
    }
    Version first = Version.first(settings.versionDigits());
    if (!settings.versioned()) {
      if (key.version() != null && !Version.parse(key.version(), settings.versionDigits()).equals(first)) {
        throw new IllegalArgumentException("this registry is unversioned (one version per name): save '"
            + key.name() + "' without a version");
      }
      return first;
    }
    return key.version() == null ? null : Version.parse(key.version(), settings.versionDigits());
  }

  /**
   * Saves several objects, in map iteration order. Never throws for one item: each {@link BatchResult.Item}
   * carries its outcome.
   *
   * @param items key to object; use a {@link LinkedHashMap} to fix the order
   * @param options applied to every item
   * @return one result per item, in order
   * @throws IllegalArgumentException before writing anything, when two keys name the same version
   */
  public BatchResult<Manifest> saveAll(Map<String, ?> items, SaveOptions options) {
    requireWritable("cannot save a batch");
    Set<String> seen = new HashSet<>();
    RegistrySettings known = current();
    for (String key : items.keySet()) {
      Optional<String> identity = explicitIdentity(key, known);
      if (identity.isPresent() && !seen.add(identity.get())) {
        throw new IllegalArgumentException("batch names " + identity.get() + " twice (as '" + key + "' and"
            + " another key): each (name, version) may appear once; nothing was saved");
      }
    }
    List<Map.Entry<String, ?>> entries = new ArrayList<>(items.entrySet());
    List<BatchResult.Item<Manifest>> results = runBatch(entries, batchParallelism, e -> {
      SaveOperation.Saved saved = saveOne(ObjectKey.parse(e.getKey()), e.getValue(), options);
      return new BatchResult.Item<>(e.getKey(), saved.skipped() ? BatchResult.Status.SKIPPED
          : BatchResult.Status.OK, saved.manifest(), null);
    }, Map.Entry::getKey);
    return new BatchResult<>(results);
  }

  /** {@code name@canonical-version} for a key whose target version is known before saving; empty otherwise. */
  private static Optional<String> explicitIdentity(String key, RegistrySettings settings) {
    try {
      ObjectKey k = ObjectKey.parse(key);
      return settings.versionSavedBy(k).map(v -> k.name() + "@" + v);
    } catch (IllegalArgumentException invalid) {
      return Optional.empty(); // an invalid key fails as its own item
    }
  }

  /**
   * Saves several objects with default options. See {@link #saveAll(Map, SaveOptions)}.
   *
   * @param items key to object
   * @return one result per item, in order
   */
  public BatchResult<Manifest> saveAll(Map<String, ?> items) {
    return saveAll(items, SaveOptions.defaults());
  }

  // ---------------------------------------------------------------- load

  /**
   * Loads an object as the given type.
   *
   * @param key {@code name}, {@code name@version}, {@code name@latest} or {@code name#tag}
   * @param type the expected class; {@code Object.class} loads the class recorded at save, as {@link #load(String)}
   * @param <T> that class
   * @return the object. A {@code Path} is loaded into a fresh temp directory that the caller owns and deletes
   * @throws ObjectNotFoundException when the key resolves to nothing
   * @throws IntegrityException when stored bytes fail verification
   */
  public <T> T load(String key, Class<T> type) {
    return loadManifest(info(key), type, null, null);
  }

  /**
   * Loads an object as the class recorded at save, when the registry knows that class: a built-in value type
   * ({@code byte[]}, {@code String}, {@code Path}, boxed primitives, {@code BigInteger}, {@code BigDecimal}, the
   * common {@code java.util} maps and collections), a class mapped in the settings ({@link #registerMaterializer})
   * or one allowed with {@link Builder#allowTypes}. The manifest names the class and anyone who can write the
   * storage can forge it, so no other class is ever constructed.
   *
   * @param key the key
   * @return the object
   * @throws MaterializerException when the class is none of those; load it with {@link #load(String, Class)}
   */
  public Object load(String key) {
    return load(key, Object.class);
  }

  /**
   * Loads a saved file or directory tree into {@code directory} (created if missing; existing files with the
   * same names are replaced, others are left alone). Nothing is written outside it, nor through a symbolic link
   * below it. All or nothing: files are staged inside {@code directory} and renamed into place once every one
   * is verified, so a refused or failed load leaves no new file (and removes the directories it created).
   *
   * @param key the key
   * @param directory where to put the files
   * @return the loaded file, or {@code directory} for a saved directory tree
   */
  public Path loadInto(String key, Path directory) {
    return loadManifest(info(key), Path.class, directory, null);
  }

  /**
   * Loads like {@link #loadInto(String, Path)}, reporting progress.
   *
   * @param key the key
   * @param directory where to put the files
   * @param progress called, on the loading thread, with the total bytes read so far
   * @return the loaded file, or {@code directory} for a saved directory tree
   */
  public Path loadInto(String key, Path directory, LongConsumer progress) {
    return loadManifest(info(key), Path.class, directory, java.util.Objects.requireNonNull(progress, "progress"));
  }

  /**
   * Writes the one file of a version (a file saved from a {@code Path}, bytes, a stream, a value's one file) to
   * {@code target} as stored, verified while read, and published by a rename only when whole; a file already
   * there is replaced. When {@code target} is an existing directory the file goes into it, named as it was saved
   * (or by the object name), which must be one plain path segment. Never writes through a symbolic link at the
   * target.
   *
   * @param key the key
   * @param target the file to write, or an existing directory to write it into
   * @param progress called, on the loading thread, with the total bytes read so far
   * @return the file written
   * @throws IllegalArgumentException when the version holds several files: use {@link #loadInto}
   */
  public Path loadFile(String key, Path target, LongConsumer progress) {
    java.util.Objects.requireNonNull(progress, "progress");
    Manifest manifest = info(key);
    if (manifest.files().size() != 1) {
      throw new IllegalArgumentException(describe(manifest) + " holds " + manifest.files().size() + " files:"
          + " load it into a directory with loadInto(key, directory)");
    }
    Path file = Files.isDirectory(target) ? target.resolve(manifest.savedFileName()).normalize() : target;
    return withCacheRetry(manifest, m -> exportOnce(m, file, progress));
  }

  private Path exportOnce(Manifest manifest, Path file, LongConsumer progress) {
    FileEntry entry = manifest.files().get(0);
    Path directory = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(directory);
      try (StagedFiles staged = new StagedFiles(directory)) {
        try (InputStream in = reader(manifest, null, progress).open(entry.path());
            OutputStream out = staged.create(file.getFileName().toString())) {
          LargeCopy.copy(in, out);
        }
        staged.publish();
      }
      return file;
    } catch (IOException e) {
      throw integrityCause(e).orElseGet(() -> backendError(e, describe(manifest) + " -> " + file));
    }
  }

  /**
   * Opens one file of a version as stored, without a materializer: for streaming a file elsewhere (a pipe, another
   * system). The stream verifies size and sha256 as it is read (under INTEGRITY or FULL) and throws
   * {@link IntegrityException} at its end on a mismatch. The caller closes it.
   *
   * @param key the version
   * @param path one of its files (see {@link Manifest#files()})
   * @return the verifying stream
   */
  public InputStream openFile(String key, String path) {
    Manifest manifest = info(key);
    FileEntry entry = manifest.file(path);
    try {
      InputStream raw = openPassedOn(manifest, entry);
      return verify == VerifyLevel.NONE ? raw : VerifyingInputStream.over(raw, entry.size(), entry.sha256(),
          describe(manifest) + " file '" + path + "'");
    } catch (IOException e) {
      throw backendError(e, describe(manifest) + " file '" + path + "'");
    }
  }

  /**
   * Opens a file whose bytes are passed on as they are read, so a corrupt cached copy cannot be repaired by
   * starting over the way {@link #loadManifest} does: the cache checks its copy before serving it.
   */
  private InputStream openPassedOn(Manifest manifest, FileEntry file) throws IOException {
    return cache != null ? cache.openChecked(manifest, file) : backend.openFile(manifest, file);
  }

  /**
   * Loads several objects. Never throws for one item.
   *
   * @param keys the keys
   * @param type the expected class of every item
   * @param <T> that class
   * @return one result per key, in order
   */
  public <T> BatchResult<T> loadAll(List<String> keys, Class<T> type) {
    List<BatchResult.Item<T>> results = runBatch(keys, batchParallelism,
        key -> new BatchResult.Item<>(key, BatchResult.Status.OK, load(key, type), null), key -> key);
    return new BatchResult<>(results);
  }

  /**
   * Runs one call per input, {@code parallelism} at a time, results in input order; a failure becomes that item's
   * FAILED result, so a batch never throws for one item.
   */
  private static <I, T> List<BatchResult.Item<T>> runBatch(List<I> inputs, int parallelism,
      Function<I, BatchResult.Item<T>> call, Function<I, String> keyOf) {
    Function<I, BatchResult.Item<T>> guarded = input -> {
      try {
        return call.apply(input);
      } catch (RuntimeException e) {
        return BatchResult.Item.failed(keyOf.apply(input), e);
      }
    };
    if (parallelism <= 1 || inputs.size() <= 1) {
      return inputs.stream().map(guarded).toList();
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, inputs.size()), r -> {
      Thread t = new Thread(r, "arca-batch");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<BatchResult.Item<T>>> futures = new ArrayList<>();
      for (I input : inputs) {
        futures.add(pool.submit(() -> guarded.apply(input)));
      }
      List<BatchResult.Item<T>> results = new ArrayList<>(futures.size());
      for (Future<BatchResult.Item<T>> f : futures) {
        results.add(f.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted during a batch", e, true);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a batch item escaped its guard", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private <T> T loadManifest(Manifest manifest, Class<T> type, @Nullable Path destination,
      @Nullable LongConsumer progress) {
    return withCacheRetry(manifest, m -> loadOnce(m, type, destination, progress));
  }

  /** Runs a load; when a cached copy failed verification, drops it and runs the load again from the remote, once. */
  private <T> T withCacheRetry(Manifest manifest, Function<Manifest, T> load) {
    try {
      return load.apply(manifest);
    } catch (IntegrityException e) {
      if (cache == null) {
        throw e;
      }
      cache.invalidate(manifest);
      Manifest fresh = readManifest(manifest.name(), manifest.version())
          .orElseThrow(() -> new ObjectNotFoundException(describe(manifest) + " does not exist")).value();
      return load.apply(fresh);
    }
  }

  private <T> T loadOnce(Manifest manifest, Class<T> type, @Nullable Path destination,
      @Nullable LongConsumer progress) {
    Class<?> target = type == Object.class ? storedClass(manifest) : type;
    Materializer<?> materializer = catalog.forLoad(manifest.materializer(), target);
    if (manifest.formatVersion() > materializer.formatVersion()) {
      throw new MaterializerException(describe(manifest) + " was written in format " + manifest.formatVersion()
          + " of '" + materializer.id() + "', newer than the " + materializer.formatVersion() + " this one reads:"
          + " upgrade the library that provides it", null);
    }
    ManifestArtifactReader reader = reader(manifest, destination, progress);
    boolean done = false;
    try {
      T value = type.cast(read(materializer, reader, target));
      done = true;
      return value;
    } catch (IOException e) {
      throw integrityCause(e).orElseGet(() -> backendError(e, describe(manifest)));
    } catch (RegistryException e) {
      throw integrityCause(e).orElse(e);
    } catch (RuntimeException e) {
      throw integrityCause(e).orElseGet(() -> new MaterializerException("materializer '" + materializer.id()
          + "' failed reading " + describe(manifest) + ": "
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e));
    } finally {
      if (!done) {
        reader.discardCreated();
      }
    }
  }

  private ManifestArtifactReader reader(Manifest manifest, @Nullable Path destination,
      @Nullable LongConsumer progress) {
    return new ManifestArtifactReader(manifest, file -> backend.openFile(manifest, file), verify, destination,
        progress);
  }

  @SuppressWarnings("unchecked")
  private static Object read(Materializer<?> materializer, ArtifactReader reader, Class<?> type)
      throws IOException {
    return ((Materializer<Object>) materializer).read(reader, (Class<Object>) type);
  }

  private Class<?> storedClass(Manifest manifest) {
    return untypedLoads.classFor(describe(manifest), manifest.objectClass(), settings.value().materializers());
  }

  // ---------------------------------------------------------------- inspect

  /**
   * Reads the manifest a key resolves to.
   *
   * @param key the key
   * @return the manifest
   * @throws ObjectNotFoundException when the key resolves to nothing
   */
  public Manifest info(String key) {
    Manifest manifest = resolveManifest(ObjectKey.parse(key)).value();
    if (verify != VerifyLevel.NONE && !manifest.digestMatches()) {
      throw new IntegrityException("manifest of " + describe(manifest) + " does not match its digest: it was"
          + " altered after commit");
    }
    return manifest;
  }

  /**
   * Tells whether a key resolves to a committed version.
   *
   * @param key the key
   * @return true when it does
   */
  public boolean exists(String key) {
    try {
      resolveManifest(ObjectKey.parse(key));
      return true;
    } catch (ObjectNotFoundException e) {
      return false;
    }
  }

  /**
   * Lists the names with at least one version.
   *
   * @return the names, sorted
   */
  public List<String> names() {
    try {
      return backend.listNames();
    } catch (IOException e) {
      throw backendError(e, "names");
    }
  }

  /**
   * Lists a name's versions.
   *
   * @param name the name
   * @return the versions, ascending; empty when there are none
   */
  public List<Version> versions(String name) {
    try {
      return backend.listVersions(Names.requireName(name));
    } catch (IOException e) {
      throw backendError(e, name);
    }
  }

  /**
   * Lists every name with its versions.
   *
   * @return name to ascending versions, sorted by name
   */
  public Map<String, List<Version>> listAll() {
    Map<String, List<Version>> all = new TreeMap<>();
    for (String name : names()) {
      List<Version> versions = versions(name);
      if (!versions.isEmpty()) {
        all.put(name, versions);
      }
    }
    return all;
  }

  // ---------------------------------------------------------------- delete

  /**
   * Deletes a version ({@code name@version}, {@code name#tag}, {@code name@latest}) or, for a plain
   * {@code name}, every version and tag of it.
   *
   * @param key the key
   * @throws ObjectNotFoundException when nothing matched
   */
  public void delete(String key) {
    if (!remove(key)) {
      throw new ObjectNotFoundException(key + " does not exist");
    }
  }

  /**
   * Deletes like {@link #delete(String)}, reporting instead of throwing when nothing matched.
   *
   * @param key the key
   * @return true when something was deleted
   */
  public boolean remove(String key) {
    ObjectKey k = ObjectKey.parse(key);
    requireWritable("cannot delete " + key);
    try {
      if (k.version() == null && k.tag() == null) {
        boolean any = false;
        for (Version v : backend.listVersions(k.name())) {
          any |= deleteVersion(k.name(), v);
        }
        for (String tag : backend.listTags(k.name())) {
          removeTag(k.name(), tag, null);
        }
        return any;
      }
      Version version;
      try {
        version = resolve(k);
      } catch (ObjectNotFoundException e) {
        return false;
      }
      return deleteVersion(k.name(), version);
    } catch (IOException e) {
      throw backendError(e, key);
    }
  }

  /**
   * Deletes one version by compare-and-swap (a tombstone), then removes every tag that points at it: a tag never
   * names a deleted version once the delete returns. A tag moved onto it meanwhile sees the tombstone and undoes
   * itself (see {@link #tag}).
   */
  private boolean deleteVersion(String name, Version version) throws IOException {
    for (int attempt = 0; attempt < SaveOperation.MAX_ATTEMPTS; attempt++) {
      Optional<Stamped<Manifest>> current = backend.readManifest(name, version);
      if (current.isEmpty()) {
        return false;
      }
      if (backend.deleteVersion(current.get().value(), current.get().etag())) {
        for (String tag : backend.listTags(name)) {
          removeTag(name, tag, version);
        }
        return true;
      }
    }
    throw new VersionConflictException("gave up deleting " + name + "@" + version + ": it kept changing");
  }

  /**
   * Deletes several keys. Never throws for one item; the value of each item tells whether it existed.
   *
   * @param keys the keys
   * @return one result per key, in order
   */
  public BatchResult<Boolean> deleteAll(List<String> keys) {
    requireWritable("cannot delete a batch");
    return new BatchResult<>(runBatch(keys, 1,
        key -> new BatchResult.Item<>(key, BatchResult.Status.OK, remove(key), null), key -> key));
  }

  // ---------------------------------------------------------------- map-like

  /**
   * Saves like {@link #save(String, Object)}.
   *
   * @param key {@code name} or {@code name@version}
   * @param value the object
   * @return the committed manifest
   */
  public Manifest put(String key, Object value) {
    return save(key, value);
  }

  /**
   * Loads like {@link #load(String)}.
   *
   * @param key the key
   * @return the object
   * @throws ObjectNotFoundException when the key resolves to nothing
   */
  public Object get(String key) {
    return load(key);
  }

  /**
   * Loads like {@link #load(String, Class)}.
   *
   * @param key the key
   * @param type the expected class
   * @param <T> that class
   * @return the object
   */
  public <T> T get(String key, Class<T> type) {
    return load(key, type);
  }

  /**
   * Loads, or returns {@code fallback} when the key resolves to nothing.
   *
   * @param key the key
   * @param fallback returned when absent
   * @return the object or the fallback
   */
  public @Nullable Object getOrDefault(String key, @Nullable Object fallback) {
    try {
      return load(key);
    } catch (ObjectNotFoundException e) {
      return fallback;
    }
  }

  /**
   * Same as {@link #exists(String)}.
   *
   * @param key the key
   * @return true when it resolves to a version
   */
  public boolean containsKey(String key) {
    return exists(key);
  }

  /**
   * A live {@link Map} view, by the {@code Map} contract (see {@link ObjectMapView}): keys are exactly the names
   * ({@code name@1.0.0} is never a key), values the latest version of each, loaded on access (a file or a tree as
   * its {@link Manifest}, so nothing is written to disk). {@code put} saves a new version and returns the previous
   * latest value, which costs a load: {@link #put} is the cheap path. {@code remove} deletes every version and
   * returns the latest value.
   *
   * @return the view
   */
  public Map<String, Object> asMap() {
    return ObjectMapView.of(this::names, Names::isValidName, this::exists,
        key -> ObjectMapView.valueOf(info(key), this::load), this::save, this::remove);
  }


  // ---------------------------------------------------------------- tags

  /**
   * Points a tag at the version a key resolves to, creating or moving it (compare-and-swap, retried), and
   * records the move in the tag's history.
   *
   * @param key {@code name@version}, {@code name} (the latest) or {@code name#othertag}
   * @param tag the tag
   * @return the version now tagged
   */
  public Version tag(String key, String tag) {
    requireWritable("cannot tag " + key);
    Manifest target = info(key);
    Names.requireTag(tag);
    try {
      beforeWrite();
      for (int attempt = 0; attempt < TAG_ATTEMPTS; attempt++) {
        Optional<Stamped<TagRecord>> current = backend.readTag(target.name(), tag);
        if (writeTag(target, tag, current)) {
          return target.version();
        }
      }
    } catch (IOException e) {
      throw backendError(e, target.name() + "#" + tag);
    }
    throw new VersionConflictException("gave up tagging " + target.name() + "#" + tag + ": it kept changing");
  }

  /**
   * Moves a tag only if it still points at {@code expected}: a compare-and-swap between processes.
   *
   * @param name the name
   * @param tag the tag
   * @param expected the version the caller believes it points at
   * @param target the version to point it at, which must exist
   * @throws VersionConflictException when the tag points elsewhere, or moved during the call
   */
  public void moveTag(String name, String tag, Version expected, Version target) {
    Names.requireTag(tag);
    requireWritable("cannot move " + name + "#" + tag);
    Manifest manifest = info(name + "@" + target);
    try {
      beforeWrite();
      Optional<Stamped<TagRecord>> current = backend.readTag(name, tag);
      Version actual = current.map(c -> c.value().version()).orElse(null);
      if (!expected.equals(actual)) {
        throw new VersionConflictException(name + "#" + tag + " points to " + (actual == null ? "nothing" : actual)
            + ", not " + expected + ": read it again before moving it");
      }
      if (!writeTag(manifest, tag, current)) {
        throw new VersionConflictException(name + "#" + tag + " moved while it was being moved: read it again");
      }
    } catch (IOException e) {
      throw backendError(e, name + "#" + tag);
    }
  }

  /**
   * Points the tag at {@code target} if it still is {@code current}; false when it changed meanwhile. After the
   * write it checks that the version was not deleted meanwhile: a delete that tombstoned it before this write
   * landed may have looked at the tags too early, so this move undoes itself and fails as not found.
   */
  private boolean writeTag(Manifest target, String tag, Optional<Stamped<TagRecord>> current) throws IOException {
    TagEvent move = new TagEvent(target.version(), current.map(c -> c.value().version()).orElse(null),
        clock.instant(), user);
    if (!writeTagRecord(target.name(), tag, current, move)) {
      return false;
    }
    // The tombstone is read from the store itself: a cached manifest would hide another process's delete.
    if (backend.tombstone(target.name(), target.version()).isPresent()
        || backend.readManifest(target.name(), target.version()).isEmpty()) {
      removeTag(target.name(), tag, target.version());
      throw new ObjectNotFoundException(describe(target) + " was deleted while " + target.name() + "#" + tag
          + " was being moved to it; the tag no longer points at it");
    }
    return true;
  }

  /**
   * Appends one event to a tag's history by compare-and-swap. A write whose response was lost, retried by the
   * client, fails its own condition: if the history now holds this very event, it landed.
   */
  private boolean writeTagRecord(String name, String tag, Optional<Stamped<TagRecord>> current, TagEvent event)
      throws IOException {
    List<TagEvent> history = new ArrayList<>(current.map(c -> c.value().history()).orElse(List.of()));
    history.add(event);
    TagRecord record = new TagRecord(event.version(), history);
    if (backend.writeTag(name, tag, record, current.map(Stamped::etag).orElse(null))) {
      return true;
    }
    return backend.readTag(name, tag).map(now -> now.value().history().contains(event)).orElse(false);
  }

  /**
   * Removes a tag by compare-and-swap (a record without a version), retried while it moves; when {@code onlyIf}
   * is set, only while it points there.
   *
   * @return true when this call removed it
   */
  private boolean removeTag(String name, String tag, @Nullable Version onlyIf) throws IOException {
    for (int attempt = 0; attempt < TAG_ATTEMPTS; attempt++) {
      Optional<Stamped<TagRecord>> current = backend.readTag(name, tag);
      Version pointsTo = current.map(c -> c.value().version()).orElse(null);
      if (pointsTo == null || (onlyIf != null && !onlyIf.equals(pointsTo))) {
        return false;
      }
      if (writeTagRecord(name, tag, current, new TagEvent(null, pointsTo, clock.instant(), user))) {
        return true;
      }
    }
    throw new VersionConflictException("gave up removing " + name + "#" + tag + ": it kept changing");
  }

  /**
   * Removes a tag. Its history stays: {@link #tagHistory} ends with the removal.
   *
   * @param name the name
   * @param tag the tag
   * @return true when it existed
   */
  public boolean untag(String name, String tag) {
    Names.requireName(name);
    Names.requireTag(tag);
    requireWritable("cannot untag " + name + "#" + tag);
    try {
      return removeTag(name, tag, null);
    } catch (IOException e) {
      throw backendError(e, name + "#" + tag);
    }
  }

  /**
   * A name's tags and the versions they point to.
   *
   * @param name the name
   * @return tag to version, sorted by tag
   */
  public Map<String, Version> tags(String name) {
    Names.requireName(name);
    Map<String, Version> tags = new TreeMap<>();
    try {
      for (String tag : backend.listTags(name)) {
        backend.readTag(name, tag).map(t -> t.value().version()).ifPresent(v -> tags.put(tag, v));
      }
    } catch (IOException e) {
      throw backendError(e, name);
    }
    return tags;
  }

  /**
   * Every move of a tag, oldest first.
   *
   * @param name the name
   * @param tag the tag
   * @return the history
   * @throws ObjectNotFoundException when the tag does not exist
   */
  public List<TagEvent> tagHistory(String name, String tag) {
    Names.requireTag(tag);
    try {
      return backend.readTag(Names.requireName(name), tag)
          .orElseThrow(() -> new ObjectNotFoundException("tag " + name + "#" + tag + " does not exist"))
          .value().history();
    } catch (IOException e) {
      throw backendError(e, name + "#" + tag);
    }
  }

  // ---------------------------------------------------------------- copy between registries

  /**
   * Copies one version into another registry under the same name. See {@link #copyTo(String, Registry, String)}.
   *
   * @param key the version to copy ({@code name}, {@code name@version}, {@code name#tag})
   * @param target the registry to copy into
   * @return what happened
   */
  public CopyResult copyTo(String key, Registry target) {
    return copyTo(key, target, ObjectKey.parse(key).name());
  }

  /**
   * Copies one version into another registry (any pair of backends): each file's bytes are streamed across and
   * verified on the way, never deserialized; version, metadata, materializer, params, lineage and digest are kept.
   * Idempotent: a version the target already holds with the same digest is left alone.
   *
   * @param key the version to copy
   * @param target the registry to copy into
   * @param targetName the name to copy it as
   * @return what happened
   * @throws VersionConflictException when the target holds that version with different content
   */
  public CopyResult copyTo(String key, Registry target, String targetName) {
    Names.requireName(targetName);
    target.requireWritable("cannot copy " + key + " into it");
    Manifest source = info(key);
    if (target.current().versionDigits() != source.version().digits()) {
      throw new UnsupportedCapabilityException("cannot copy " + describe(source) + " into a registry whose versions"
          + " have " + target.current().versionDigits() + " components");
    }
    Manifest wanted = new Manifest(source.schema(), targetName, source.version(), source.objectClass(),
        source.materializer(), source.formatVersion(), source.params(), source.metadata(), source.files(),
        source.digest(), source.size(), source.uuid(), source.createdAt(), source.createdBy(), source.dependsOn());
    Optional<CopyResult> present = target.alreadyHolds(wanted);
    if (present.isPresent()) {
      return present.get();
    }
    try {
      target.beforeWrite();
    } catch (IOException e) {
      throw target.backendError(e, "arca.json");
    }
    try (StagedVersion staged = target.backend.stage(targetName, target.current().gracePeriod())) {
      long bytes = 0;
      for (FileEntry file : source.files()) {
        try (InputStream in = VerifyingInputStream.over(openPassedOn(source, file), file.size(), file.sha256(),
            describe(source) + " file '" + file.path() + "'"); OutputStream out = staged.create(file.path())) {
          bytes += LargeCopy.copy(in, out);
        }
      }
      Manifest copy = wanted.withCommit(source.version(), staged.uuid(), source.createdAt());
      if (staged.commit(copy, null).isPresent()) {
        return new CopyResult(copy, true, bytes);
      }
      return target.alreadyHolds(wanted).orElseThrow(() -> new VersionConflictException(targetName + "@"
          + source.version() + " was written in the target while it was being copied, with other content"));
    } catch (IOException e) {
      throw backendError(e, describe(source) + " -> " + target);
    }
  }

  /** The target's copy of a version if it holds one with the same digest; a conflict if it differs. */
  private Optional<CopyResult> alreadyHolds(Manifest wanted) {
    Optional<Stamped<Manifest>> existing = readManifest(wanted.name(), wanted.version());
    if (existing.isEmpty()) {
      return Optional.empty();
    }
    if (!existing.get().value().digest().equals(wanted.digest())) {
      throw new VersionConflictException(describe(wanted) + " already exists in the target with different"
          + " content (digest " + existing.get().value().digest() + ", not " + wanted.digest() + ")");
    }
    return Optional.of(new CopyResult(existing.get().value(), false, 0));
  }

  /**
   * Copies every version of every name this registry holds into {@code target}, keeping version numbers.
   * Idempotent: versions already there with the same digest are skipped. Never throws for one version.
   *
   * @param target the registry to merge into
   * @return one result per version, keyed {@code name@version}, in name then version order
   */
  public BatchResult<CopyResult> syncTo(Registry target) {
    List<String> keys = new ArrayList<>();
    listAll().forEach((name, versions) -> versions.forEach(v -> keys.add(name + "@" + v)));
    return new BatchResult<>(runBatch(keys, 1, key -> {
      CopyResult r = copyTo(key, target);
      return new BatchResult.Item<>(key, r.copied() ? BatchResult.Status.OK : BatchResult.Status.SKIPPED, r, null);
    }, key -> key));
  }

  // ---------------------------------------------------------------- settings, maintenance

  /**
   * The settings stored in the backend.
   *
   * @return the settings
   */
  public RegistrySettings settings() {
    return current();
  }

  /**
   * Maps a class to a materializer in this registry's stored settings, so every process that opens it saves
   * that class (and its subclasses) the same way.
   *
   * @param type the class
   * @param materializerId a known materializer's id that supports {@code type}
   */
  public void registerMaterializer(Class<?> type, String materializerId) {
    requireWritable("cannot register a materializer");
    catalog.forSave(type, materializerId, Map.of());
    try {
      beforeWrite();
      for (int attempt = 0; attempt < TAG_ATTEMPTS; attempt++) {
        Stamped<RegistrySettings> current = backend.readSettings()
            .orElseThrow(() -> new ObjectNotFoundException("registry settings vanished"));
        RegistrySettings updated = current.value().withMaterializer(type.getName(), materializerId);
        if (backend.writeSettings(updated, current.etag())) {
          settings = backend.readSettings().orElseThrow();
          return;
        }
      }
    } catch (IOException e) {
      throw backendError(e, "settings");
    }
    throw new VersionConflictException("gave up registering a materializer: the settings kept changing");
  }

  /**
   * Finds write attempts that no version references and that are older than the grace period (crashed or lost
   * writes, overwritten versions past their grace), and removes them when {@code apply} is true. The grace period
   * is the one stored with the registry; where no registry is stored yet, nothing is removed (files written
   * meanwhile would belong to a registry whose grace period this run never read).
   *
   * @param apply false for a dry run that only reports
   * @return what was found, and removed when applied
   */
  public JanitorReport janitor(boolean apply) {
    requireWritable("cannot run the janitor (even a dry run may stamp a clock object)");
    try {
      current();
      Stamped<RegistrySettings> stored = settings; // one snapshot: the grace period and whether it was stored
      if (stored.etag() == NOT_STORED) {
        return new JanitorReport(apply, List.of(), 0, 0, 0);
      }
      return backend.janitor(apply, stored.value().gracePeriod());
    } catch (IOException e) {
      throw backendError(e, "janitor");
    }
  }

  /**
   * Re-reads one version and checks its manifest against its digest and every file against its size and sha256.
   * By default it reads the remote copy, bypassing the local cache (so corruption in the bucket is found even
   * when the cache holds good copies); {@code cached} checks what loads would read instead: the cached copies
   * (fetching into the cache those it lacks), as they are, without repairing them. Never throws for a corrupt
   * or missing version: the result says which file and how.
   *
   * @param key the version ({@code name}, {@code name@version}, {@code name#tag})
   * @param cached whether to check the cached copies instead of the remote
   * @return what was found
   * @throws ObjectNotFoundException when the key resolves to no version
   */
  public VerifyResult verify(String key, boolean cached) {
    ObjectKey k = ObjectKey.parse(key);
    Version version = resolve(k);
    try {
      return Verifier.check(cache == null || cached ? backend : cache.remote(), k.name(), version);
    } catch (IOException e) {
      throw backendError(e, "verify " + k.name() + "@" + version);
    }
  }

  /**
   * Verifies every version of every name (see {@link #verify}), continuing past corrupt and missing ones.
   *
   * @param cached whether to check the cached copies instead of the remote
   * @return one result per version, in name then version order
   */
  public List<VerifyResult> verifyAll(boolean cached) {
    List<VerifyResult> results = new ArrayList<>();
    listAll().forEach((name, versions) -> versions.forEach(v -> {
      try {
        results.add(verify(name + "@" + v, cached));
      } catch (ObjectNotFoundException deletedMeanwhile) {
        // listed, but deleted (its delete may not have written its listing hint yet): nothing to verify
      }
    }));
    return results;
  }

  /**
   * Empties the local cache of remote files and manifests; a no-op for local registries.
   */
  public void clearCache() {
    if (cache != null) {
      try {
        cache.files().clear();
      } catch (IOException e) {
        throw backendError(e, "cache");
      }
    }
  }

  /**
   * What the backend can do.
   *
   * @return its capabilities
   */
  public dev.arca.registry.spi.Capabilities capabilities() {
    return backend.capabilities();
  }

  /**
   * The backend's URI scheme, as in {@code s3} or {@code file}.
   *
   * @return the scheme
   */
  public String scheme() {
    return backend.scheme();
  }

  /**
   * Whether this registry was opened read-only ({@link Builder#readOnly}): every write is refused.
   *
   * @return true when read-only
   */
  public boolean isReadOnly() {
    return readOnly;
  }

  /** Closes the backend. */
  @Override
  public void close() {
    try {
      backend.close();
    } catch (IOException e) {
      throw backendError(e, "close");
    }
  }

  @Override
  public String toString() {
    return "Registry{" + backend.scheme() + "}";
  }

  // ---------------------------------------------------------------- internals

  private Version resolve(ObjectKey key) {
    try {
      if (key.tag() != null) {
        Optional<Version> tagged = backend.readTag(key.name(), key.tag()).map(t -> t.value().version());
        return tagged.orElseThrow(() -> new ObjectNotFoundException("tag " + key + " does not exist"));
      }
      if (key.isLatest()) {
        return latest(key.name());
      }
      return Version.parse(java.util.Objects.requireNonNull(key.version()), current().versionDigits());
    } catch (IOException e) {
      throw backendError(e, key.toString());
    }
  }

  /**
   * The highest live version. Listing may still show a version whose delete crashed before it wrote its listing
   * hint; such a version reads as absent, so the one below it is the latest.
   */
  private Version latest(String name) throws IOException {
    return latestManifest(name).value().version();
  }

  private Stamped<Manifest> latestManifest(String name) throws IOException {
    List<Version> versions = backend.listVersions(name);
    for (int i = versions.size() - 1; i >= 0; i--) {
      Optional<Stamped<Manifest>> live = backend.readManifest(name, versions.get(i));
      if (live.isPresent()) {
        return live.get();
      }
    }
    throw new ObjectNotFoundException(name + " does not exist");
  }

  /** The manifest a key resolves to, read once ({@code latest} is found by reading manifests: it is that one). */
  private Stamped<Manifest> resolveManifest(ObjectKey key) {
    try {
      if (key.tag() == null && key.isLatest()) {
        return latestManifest(key.name());
      }
      Version version = resolve(key);
      return backend.readManifest(key.name(), version)
          .orElseThrow(() -> new ObjectNotFoundException(key.name() + "@" + version + " does not exist"));
    } catch (IOException e) {
      throw backendError(e, key.toString());
    }
  }

  private Optional<Stamped<Manifest>> readManifest(String name, Version version) {
    try {
      return backend.readManifest(name, version);
    } catch (IOException e) {
      throw backendError(e, name + "@" + version);
    }
  }

  /** Stamps settings that are not stored yet: the first write stores them (opening writes nothing). */
  private static final String NOT_STORED = "";

  private Stamped<RegistrySettings> openSettings() throws IOException {
    Optional<Stamped<RegistrySettings>> stored = backend.readSettings();
    if (stored.isPresent()) {
      return checked(stored.get());
    }
    if (readOnly) {
      throw new ObjectNotFoundException("no registry at " + location + ": it was opened read-only, which never"
          + " creates one; check the location (a registry exists once something was saved there)");
    }
    return new Stamped<>(RegistrySettings.create(askedVersioned == null || askedVersioned,
        askedMutable != null && askedMutable, askedDigits == null ? 3 : askedDigits,
        askedGrace == null ? DEFAULT_GRACE_PERIOD : askedGrace), NOT_STORED);
  }

  private Stamped<RegistrySettings> checked(Stamped<RegistrySettings> stored) {
    RegistrySettings value = stored.value();
    if (value.layout() > RegistrySettings.LAYOUT) {
      throw new RegistryException("this " + backend.scheme() + " registry has storage layout " + value.layout()
          + ", newer than the layout " + RegistrySettings.LAYOUT + " this library reads: upgrade dev.arca to the"
          + " version that wrote it");
    }
    check("versioned", askedVersioned, value.versioned());
    check("mutable", askedMutable, value.mutable());
    check("versionDigits", askedDigits, value.versionDigits());
    check("gracePeriod", askedGrace, value.gracePeriod());
    return stored;
  }

  /**
   * The settings: the stored ones, or, while the registry has not been created, the ones its first write will
   * store, after a look whether another process created it meanwhile.
   */
  private RegistrySettings current() {
    Stamped<RegistrySettings> known = settings;
    if (known.etag() != NOT_STORED) {
      return known.value();
    }
    try {
      Optional<Stamped<RegistrySettings>> stored = backend.readSettings();
      if (stored.isEmpty()) {
        return known.value();
      }
      settings = checked(stored.get());
      return settings.value();
    } catch (IOException e) {
      throw backendError(e, "arca.json");
    }
  }

  /**
   * Stores the settings of a new registry before its first write; a racing creator's settings win, checked.
   * Threads that race here each try the create-if-absent: no lock is held across a store call.
   */
  private RegistrySettings beforeWrite() throws IOException {
    requireWritable("cannot write");
    Stamped<RegistrySettings> current = settings;
    if (current.etag() != NOT_STORED) {
      return current.value();
    }
    Exception unknown = null;
    for (int attempt = 0; attempt < SETTINGS_CREATE_ATTEMPTS; attempt++) {
      try {
        backend.writeSettings(current.value(), null); // a racing creator may win; either way, read what is stored
      } catch (IOException | BackendException e) {
        unknown = e; // it may have landed, or a racing creator's write made it fail: what is stored decides
      }
      Optional<Stamped<RegistrySettings>> stored = backend.readSettings();
      if (stored.isPresent()) {
        settings = checked(stored.get());
        return settings.value();
      }
      // Nothing stored: ours did not land, and a racing creator whose write refused ours has not landed yet.
    }
    throw new IOException("registry settings at " + backend.scheme() + " could not be created: after "
        + SETTINGS_CREATE_ATTEMPTS + " tries none is stored", unknown);
  }

  private void requireWritable(String what) {
    if (readOnly) {
      throw ReadOnlyBackend.refused(what, location);
    }
  }

  private void check(String setting, @Nullable Object asked, Object stored) {
    if (asked != null && !asked.equals(stored)) {
      throw new RegistryException("this " + backend.scheme() + " registry was created with " + setting + "="
          + stored + ", but " + setting + "=" + asked + " was asked: settings are fixed at creation. Open it"
          + " without " + setting + "(...) to use the stored value, or use another location");
    }
  }

  private RegistryException backendError(IOException e, String what) {
    if (e instanceof NoSuchFileException) {
      return new ObjectNotFoundException(what + ": " + e.getMessage());
    }
    boolean retryable = backend.capabilities().remote() && !(e instanceof AccessDeniedException);
    return new BackendException(backend.scheme(), what, String.valueOf(e.getMessage()), e, retryable);
  }

  private static Optional<RegistryException> integrityCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IntegrityException integrity) {
        return Optional.of(integrity);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }

  private static String describe(Manifest m) {
    return m.name() + "@" + m.version();
  }

  /**
   * Configures and opens a {@link Registry}. Name the storage once, with {@link #uri}, {@link #backend} or
   * {@link #blobStore}. Settings left unset take the values stored in the backend, or the defaults for a new
   * registry (versioned, immutable, three version digits). Not thread-safe.
   */
  public static final class Builder {
    private @Nullable URI uri;
    private @Nullable Backend backend;
    private @Nullable BlobStore blobStore;
    private @Nullable Boolean versioned;
    private @Nullable Boolean mutable;
    private @Nullable Integer versionDigits;
    private final List<Materializer<?>> materializers = new ArrayList<>();
    private final List<Class<?>> allowedTypes = new ArrayList<>();
    private VerifyLevel verify = VerifyLevel.INTEGRITY;
    private @Nullable Duration gracePeriod;
    private LongSupplier ticker = System::nanoTime;
    private Clock clock = Clock.systemUTC();
    private ClassLoader classLoader = defaultClassLoader();
    private boolean probe = true;
    private @Nullable Path cacheDirectory;
    private long cacheBytes = DEFAULT_CACHE_BYTES;
    private boolean cacheEnabled = true;
    private int batchParallelism = 4;
    private boolean readOnly;

    private Builder() {}

    /**
     * Opens the registry read-only (default false): reads work as usual; every write (save, delete, tag, settings,
     * janitor) fails at once with {@link ReadOnlyRegistryException} naming the location, and nothing is ever sent
     * to the storage that could change it: no settings, no conditional-write probe, no directory. A location where
     * no registry exists is an {@link ObjectNotFoundException} naming it, so a mistyped location never looks like an
     * empty registry. For read-only credentials and shared registries others maintain.
     *
     * @param value whether to refuse writes
     * @return this builder
     */
    public Builder readOnly(boolean value) {
      this.readOnly = value;
      return this;
    }

    /**
     * How many items of {@code saveAll} and {@code loadAll} are transferred at once (default 4; 1 runs them one
     * after another). Results keep input order either way.
     *
     * @param value at least 1
     * @return this builder
     */
    public Builder batchParallelism(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("batchParallelism must be at least 1, got " + value);
      }
      this.batchParallelism = value;
      return this;
    }

    /**
     * Stores in the backend a URI names, found by scheme through {@link java.util.ServiceLoader}.
     *
     * @param location e.g. {@code file:///var/arca}, {@code s3://bucket/prefix?region=eu-west-1}
     * @return this builder
     */
    public Builder uri(URI location) {
      requireNoStorage();
      this.uri = location;
      return this;
    }

    /**
     * Same as {@link #uri(URI)}.
     *
     * @param location the URI as text
     * @return this builder
     */
    public Builder uri(String location) {
      return uri(URI.create(location));
    }

    /**
     * Stores in a backend built by the caller; the registry closes it.
     *
     * @param value the backend
     * @return this builder
     */
    public Builder backend(Backend value) {
      requireNoStorage();
      this.backend = value;
      return this;
    }

    /**
     * Stores in an object store through the core's MVCC protocol; the registry closes it.
     *
     * @param value the store
     * @return this builder
     */
    public Builder blobStore(BlobStore value) {
      requireNoStorage();
      this.blobStore = value;
      return this;
    }

    /**
     * Whether saves without a version auto-increment (true, the default) or each name holds one version.
     *
     * @param value the setting, checked against a stored one
     * @return this builder
     */
    public Builder versioned(boolean value) {
      this.versioned = value;
      return this;
    }

    /**
     * Whether versions may be overwritten (default false).
     *
     * @param value the setting, checked against a stored one
     * @return this builder
     */
    public Builder mutable(boolean value) {
      this.mutable = value;
      return this;
    }

    /**
     * Number of version components, 1 to 9 (default 3).
     *
     * @param value the setting, checked against a stored one
     * @return this builder
     */
    public Builder versionDigits(int value) {
      if (value < 1 || value > 9) {
        throw new IllegalArgumentException("versionDigits must be 1 to 9, got " + value);
      }
      this.versionDigits = value;
      return this;
    }

    /**
     * Adds a materializer, consulted before ServiceLoader-found ones and the built-ins.
     *
     * @param materializer the materializer
     * @return this builder
     */
    public Builder materializer(Materializer<?> materializer) {
      materializers.add(materializer);
      return this;
    }

    /**
     * Allows untyped loads ({@link Registry#load(String)}, {@link Registry#get(String)}, the {@link Registry#asMap()}
     * view) to produce these exact classes when a manifest names them. Without it, an untyped load produces only
     * the built-in value types ({@code byte[]}, {@code String}, {@code Path}, boxed primitives, {@code BigInteger},
     * {@code BigDecimal} and the common {@code java.util} maps and collections) and classes mapped in the
     * registry's settings ({@link Registry#registerMaterializer}): a manifest, which anyone who can write the
     * storage can forge, never chooses what gets constructed. Typed loads ({@code load(key, Type.class)}) need
     * no allowance.
     *
     * @param types the classes, matched exactly (not their subclasses)
     * @return this builder
     */
    public Builder allowTypes(Class<?>... types) {
      allowedTypes.addAll(List.of(types));
      return this;
    }

    /**
     * How loads verify bytes (default {@link VerifyLevel#INTEGRITY}).
     *
     * @param level the level
     * @return this builder
     */
    public Builder verify(VerifyLevel level) {
      this.verify = level;
      return this;
    }

    /**
     * The grace period of a new registry (default one hour): how long the janitor keeps files no manifest
     * references, so writes in flight and readers of replaced or deleted versions are safe. It is stored with the
     * registry, so every process uses the same one, and, like the other settings, asking an existing registry for
     * another is an error. A write must commit within half of it.
     *
     * @param value at least one second, whole seconds
     * @return this builder
     */
    public Builder gracePeriod(Duration value) {
      if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.getNano() != 0) {
        throw new IllegalArgumentException("gracePeriod must be whole seconds, at least one, got " + value);
      }
      this.gracePeriod = value;
      return this;
    }

    /**
     * The monotonic clock, in nanoseconds, that measures how long a write took (default {@code System::nanoTime});
     * simulations substitute their own.
     *
     * @param value the ticker
     * @return this builder
     */
    public Builder ticker(LongSupplier value) {
      this.ticker = value;
      return this;
    }

    /**
     * The clock for commit times, tag events and uuids (default UTC system clock). No safety rule depends on it:
     * the janitor judges ages by the store's clock.
     *
     * @param value the clock
     * @return this builder
     */
    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    /**
     * Where backends, materializers and saved classes are looked up (default: the context class loader).
     *
     * @param value the class loader
     * @return this builder
     */
    public Builder classLoader(ClassLoader value) {
      this.classLoader = value;
      return this;
    }

    /**
     * Where remote files are cached, and how many bytes the cache may hold (default {@code $ARCA_CACHE}, else
     * {@code ~/.arca/cache}, 10 GiB). Several processes may share one directory.
     *
     * @param directory the cache directory
     * @param maxBytes the bound; files larger than it are never cached
     * @return this builder
     */
    public Builder cache(Path directory, long maxBytes) {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("cache bound must not be negative, got " + maxBytes);
      }
      this.cacheDirectory = directory;
      this.cacheBytes = maxBytes;
      this.cacheEnabled = true;
      return this;
    }

    /**
     * Reads remote backends directly, with no local cache.
     *
     * @return this builder
     */
    public Builder noCache() {
      this.cacheEnabled = false;
      return this;
    }

    /**
     * Skips the check, on opening a remote object store, that it really refuses a second create-if-absent.
     * Without that guarantee two racing writers can both commit one version: use only with one writer.
     *
     * @return this builder
     */
    public Builder skipConditionalWriteProbe() {
      this.probe = false;
      return this;
    }

    /**
     * Opens the registry: connects, then reads (or, for a new registry, writes) its settings.
     *
     * @return the open registry
     * @throws RegistryException when the storage cannot be opened or its settings differ from the ones asked
     */
    public Registry build() {
      BackendContext context = new CoreBackendContext(clock, ticker, probe, readOnly);
      Backend opened;
      try {
        if (backend != null) {
          opened = backend;
        } else if (blobStore != null) {
          opened = context.objectStore(blobStore);
        } else if (uri != null) {
          opened = BackendDiscovery.find(uri, classLoader).open(uri, context);
        } else {
          throw new IllegalStateException("name the storage: Registry.builder().uri(...), .backend(...) or"
              + " .blobStore(...), or use Registry.local()");
        }
      } catch (IOException | UncheckedIOException e) {
        String scheme = uri != null && uri.getScheme() != null ? uri.getScheme() : "backend";
        throw new BackendException(scheme, null, "cannot open: " + e.getMessage(), e, true);
      }
      String location = location(opened);
      if (readOnly) {
        opened = new ReadOnlyBackend(opened, location);
      }
      if (cacheEnabled && opened.capabilities().remote()) {
        Path directory = cacheDirectory != null ? cacheDirectory : defaultCacheLocation();
        // nothing on disk yet: a cache that cannot be created falls back to remote reads (DiskCache's javadoc)
        opened = new CachingBackend(opened, new DiskCache(directory, cacheBytes), verify);
      }
      try {
        return new Registry(this, opened, location);
      } catch (IOException e) {
        closeQuietly(opened);
        throw new BackendException(opened.scheme(), "arca.json", "cannot read registry settings: "
            + e.getMessage(), e, opened.capabilities().remote());
      } catch (RuntimeException e) {
        closeQuietly(opened);
        throw e;
      }
    }

    /** The URI without credentials or options (they may hold secrets), else what the store calls itself. */
    private String location(Backend opened) {
      if (uri == null) {
        return String.valueOf(blobStore != null ? blobStore : opened);
      }
      String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      return uri.getScheme() + "://" + authority.substring(authority.lastIndexOf('@') + 1) + path;
    }

    private void requireNoStorage() {
      if (uri != null || backend != null || blobStore != null) {
        throw new IllegalStateException("storage already named: call one of uri, backend or blobStore once");
      }
    }

    private static Path defaultCacheLocation() {
      String dir = System.getenv("ARCA_CACHE");
      return dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".arca", "cache");
    }

    private static ClassLoader defaultClassLoader() {
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      return context != null ? context : Registry.class.getClassLoader();
    }

    private static void closeQuietly(Backend backend) {
      try {
        backend.close();
      } catch (IOException | RuntimeException ignored) {
        // the open failure is the error worth reporting
      }
    }
  }
}
