package dev.arca.store;

import dev.arca.registry.BatchResult;
import dev.arca.registry.CopyResult;
import dev.arca.registry.Manifest;
import dev.arca.registry.ObjectMapView;
import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.Registry;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.VerifyResult;
import dev.arca.registry.Version;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One key space over named mounts, each a {@link Registry} on any backend.
 *
 * <h2>Routing</h2>
 * Keys are {@code [mount/]name[@version|#tag]}. A qualified key goes to its mount; an unknown mount is
 * {@link StoreLocationNotFound}, never a write somewhere else. An unqualified write goes to the default mount;
 * with none chosen it is {@link StoreLocationNotFound} naming the mounts (nothing is written). An unqualified
 * read or delete probes every mount at once: found in none is {@link ObjectNotFoundException}, in two or more
 * {@link StoreAmbiguousObjectError} naming them. {@link #exists} answers whether any mount holds the key. Writes
 * and deletes into a read-only mount are {@link ReadOnlyMountException}.
 *
 * <h2>The location memory</h2>
 * Where a read found a name is remembered for a short time ({@link Builder#locationMemory}, default one
 * second), so reading it again meanwhile asks that one mount. After that the
 * next read probes every mount again: a name another process writes into a second mount is ambiguous at most that
 * long later. Writes through this store forget the name at once; deletes never use the memory.
 *
 * <h2>The temp mount</h2>
 * Every store has a mount named {@code temp}: a local registry in a fresh temporary directory, which cannot be
 * unmounted and is deleted when the store closes. Unqualified writes go there only while it is the store's only
 * mount; otherwise name it ({@code temp/name}).
 *
 * <h2>Thread safety and lifecycle</h2>
 * Thread-safe. The store owns its mounts' registries and closes them when unmounted or closed.
 */
public final class Store implements Closeable {

  /** The name of the temp mount. */
  public static final String TEMP = "temp";

  /** How long a store remembers where a read found a name, unless {@link Builder#locationMemory} says. */
  public static final Duration DEFAULT_LOCATION_MEMORY = Duration.ofSeconds(1);

  /**
   * A mount as the store reports it.
   *
   * @param name the mount's name
   * @param readOnly whether writes are refused
   * @param isDefault whether unqualified writes go here (the chosen default, or {@code temp} when it is the only
   *     mount)
   * @param scheme the backend's URI scheme
   */
  public record MountInfo(String name, boolean readOnly, boolean isDefault, String scheme) {}

  private record Mount(String name, Registry registry, boolean readOnly) {}

  /** Where a read found a name, believed until {@code until}. */
  private record Location(String mount, Instant until) {}

  private final Object lock = new Object();
  private volatile Map<String, Mount> mounts = Map.of();
  private volatile @Nullable String defaultMount;
  private final Path tempDirectory;
  private final Clock clock;
  private final Duration locationMemory;
  private final Map<String, Location> locations = new ConcurrentHashMap<>();
  private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "arca-store-probe");
    t.setDaemon(true);
    return t;
  });

  private Store(Builder builder) {
    clock = builder.clock;
    locationMemory = builder.locationMemory;
    try {
      tempDirectory = Files.createTempDirectory("arca-temp-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the temp mount's directory", e);
    }
    addMount(TEMP, Registry.open(URI.create(tempDirectory.toUri() + "?fsync=false")), false);
    builder.mounts.forEach((name, m) -> addMount(name, m.registry(), m.readOnly()));
    if (builder.defaultMount != null) {
      setDefaultMount(builder.defaultMount);
    }
  }

  /**
   * Starts configuring a store.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the mounts a config file names (YAML or JSON, see {@link StoreConfig}).
   *
   * @param config the file
   * @return the store
   * @throws IllegalArgumentException pointing at the line of a bad entry
   */
  public static Store open(Path config) {
    return StoreConfig.read(config).open();
  }

  // ---------------------------------------------------------------- mounts

  /**
   * Adds a mount. The store takes ownership of the registry.
   *
   * @param name a new mount name
   * @param registry the registry behind it; one opened {@link Registry.Builder#readOnly read-only} makes a
   *     read-only mount
   * @param readOnly whether the store refuses writes and deletes into it. Open the registry read-only too where
   *     nothing may write it, not even through {@link #registry(String)}
   */
  public void mount(String name, Registry registry, boolean readOnly) {
    addMount(name, registry, readOnly);
  }

  private void addMount(String name, Registry registry, boolean readOnly) {
    StoreKey.requireMountName(name);
    synchronized (lock) {
      if (mounts.containsKey(name)) {
        throw new IllegalArgumentException("mount '" + name + "' exists already: unmount it first");
      }
      Map<String, Mount> copy = new LinkedHashMap<>(mounts);
      copy.put(name, new Mount(name, registry, readOnly || registry.isReadOnly()));
      mounts = copy;
    }
  }

  /**
   * Removes a mount and closes its registry. Removing the default mount leaves the store without one.
   *
   * @param name the mount
   * @throws IllegalArgumentException for {@code temp}, which cannot be removed
   * @throws StoreLocationNotFound when there is no such mount
   */
  public void unmount(String name) {
    if (name.equals(TEMP)) {
      throw new IllegalArgumentException("the temp mount cannot be removed; it is deleted when the store closes");
    }
    Mount removed;
    synchronized (lock) {
      removed = require(name);
      Map<String, Mount> copy = new LinkedHashMap<>(mounts);
      copy.remove(name);
      mounts = copy;
      if (name.equals(defaultMount)) {
        defaultMount = null;
      }
    }
    locations.values().removeIf(l -> l.mount().equals(name));
    removed.registry().close();
  }

  /**
   * Makes a mount the target of unqualified writes.
   *
   * @param name an existing, writable mount
   */
  public void setDefaultMount(String name) {
    synchronized (lock) {
      Mount m = require(name);
      if (m.readOnly()) {
        throw new ReadOnlyMountException("mount '" + name + "' is read-only and cannot be the default mount");
      }
      defaultMount = name;
    }
  }

  /**
   * The mount unqualified writes go to: the one chosen, or {@code temp} while it is the only mount.
   *
   * @return its name; empty when unqualified writes are refused (several mounts, none chosen)
   */
  public Optional<String> defaultMount() {
    String chosen = defaultMount;
    return chosen != null ? Optional.of(chosen) : mounts.size() == 1 ? Optional.of(TEMP) : Optional.empty();
  }

  /**
   * The mounts, in the order they were added ({@code temp} first).
   *
   * @return their descriptions
   */
  public List<MountInfo> mounts() {
    List<MountInfo> infos = new ArrayList<>();
    String target = defaultMount().orElse(null);
    for (Mount m : mounts.values()) {
      infos.add(new MountInfo(m.name(), m.readOnly(), m.name().equals(target), m.registry().scheme()));
    }
    return infos;
  }

  /**
   * The registry behind a mount, for operations the store does not route (tags, janitor).
   *
   * @param mount the mount's name
   * @return its registry
   */
  public Registry registry(String mount) {
    return require(mount).registry();
  }

  // ---------------------------------------------------------------- writes

  /**
   * Saves into the key's mount, or the default mount for an unqualified key.
   *
   * @param key {@code [mount/]name[@version]}
   * @param value the object
   * @return the manifest
   */
  public Manifest save(String key, Object value) {
    return save(key, value, SaveOptions.defaults());
  }

  /**
   * Saves with options. See {@link #save(String, Object)}.
   *
   * @param key {@code [mount/]name[@version]}
   * @param value the object
   * @param options conflict policy, metadata, materializer, lineage
   * @return the manifest
   */
  public Manifest save(String key, Object value, SaveOptions options) {
    StoreKey k = StoreKey.parse(key);
    Mount m = writable(k.mount() != null ? k.mount() : requireDefaultMount(k), k);
    locations.remove(k.key().name());
    return m.registry().save(k.key().toString(), value, options);
  }

  /**
   * Deletes what a key names (see {@link Registry#delete(String)}); unqualified keys must be unambiguous.
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
    StoreKey k = StoreKey.parse(key);
    Mount m;
    try {
      m = k.mount() != null ? require(k.mount()) : locate(k, false);
    } catch (ObjectNotFoundException e) {
      return false;
    }
    writable(m.name(), k);
    locations.remove(k.key().name());
    return m.registry().remove(k.key().toString());
  }

  // ---------------------------------------------------------------- reads

  /**
   * Loads as a type.
   *
   * @param key {@code [mount/]name[@version|#tag]}
   * @param type the expected class
   * @param <T> that class
   * @return the object
   */
  public <T> T load(String key, Class<T> type) {
    StoreKey k = StoreKey.parse(key);
    return mountFor(k).registry().load(k.key().toString(), type);
  }

  /**
   * Loads as the class recorded at save.
   *
   * @param key the key
   * @return the object
   */
  public Object load(String key) {
    return load(key, Object.class);
  }

  /**
   * Loads a saved file or tree into a directory (see {@link Registry#loadInto}).
   *
   * @param key the key
   * @param directory where to put it
   * @return the loaded file, or the directory for a tree
   */
  public Path loadInto(String key, Path directory) {
    StoreKey k = StoreKey.parse(key);
    return mountFor(k).registry().loadInto(k.key().toString(), directory);
  }

  /**
   * Loads into a directory, reporting progress (see {@link Registry#loadInto(String, Path, LongConsumer)}).
   *
   * @param key the key
   * @param directory where to put it
   * @param progress called with the total bytes read so far
   * @return the loaded file, or the directory for a tree
   */
  public Path loadInto(String key, Path directory, LongConsumer progress) {
    StoreKey k = StoreKey.parse(key);
    return mountFor(k).registry().loadInto(k.key().toString(), directory, progress);
  }

  /**
   * Writes the one file of a version to a file or into a directory (see {@link Registry#loadFile}).
   *
   * @param key the key
   * @param target the file, or an existing directory
   * @param progress called with the total bytes read so far
   * @return the file written
   */
  public Path loadFile(String key, Path target, LongConsumer progress) {
    StoreKey k = StoreKey.parse(key);
    return mountFor(k).registry().loadFile(k.key().toString(), target, progress);
  }

  /**
   * Opens one stored file of a version, verified while read (see {@link Registry#openFile}). The caller closes it.
   *
   * @param key the version
   * @param path one of its files
   * @return the stream
   */
  public java.io.InputStream openFile(String key, String path) {
    StoreKey k = StoreKey.parse(key);
    return mountFor(k).registry().openFile(k.key().toString(), path);
  }

  /**
   * Points a tag at the version a key resolves to, in the mount holding it (see {@link Registry#tag}).
   *
   * @param key the version
   * @param tag the tag
   * @return the version tagged
   */
  public Version tag(String key, String tag) {
    StoreKey k = StoreKey.parse(key);
    Mount m = writable(k.mount() != null ? k.mount() : locate(k, false).name(), k);
    return m.registry().tag(k.key().toString(), tag);
  }

  /**
   * The manifest a key resolves to.
   *
   * @param key the key
   * @return the manifest
   */
  public Manifest info(String key) {
    StoreKey k = StoreKey.parse(key);
    return mountFor(k).registry().info(k.key().toString());
  }

  /**
   * Whether a key resolves to a version: in its mount when qualified, else in any mount (a name two mounts hold
   * exists; reading it unqualified is {@link StoreAmbiguousObjectError}).
   *
   * @param key the key
   * @return true when it does
   */
  public boolean exists(String key) {
    StoreKey k = StoreKey.parse(key);
    if (k.mount() != null) {
      return require(k.mount()).registry().exists(k.key().toString());
    }
    Optional<Mount> remembered = remembered(k);
    return remembered.isPresent() || !holders(k).isEmpty();
  }

  /**
   * Every name in every mount, as {@code mount/name}, sorted.
   *
   * @return the qualified names
   */
  public List<String> names() {
    List<String> all = new ArrayList<>();
    for (Mount m : mounts.values()) {
      for (String name : m.registry().names()) {
        all.add(m.name() + "/" + name);
      }
    }
    all.sort(null);
    return all;
  }

  /**
   * A name's versions in the mount a key resolves to.
   *
   * @param key {@code [mount/]name}
   * @return the versions, ascending
   */
  public List<Version> versions(String key) {
    StoreKey k = StoreKey.parse(key);
    return mountFor(k).registry().versions(k.key().name());
  }

  /**
   * Verifies one version in the mount the key resolves to (see {@link Registry#verify}).
   *
   * @param key the version
   * @param cached whether to check the cached copies instead of the remote
   * @return what was found, keyed {@code mount/name@version}
   */
  public VerifyResult verify(String key, boolean cached) {
    StoreKey k = StoreKey.parse(key);
    Mount m = mountFor(k);
    VerifyResult result = m.registry().verify(k.key().toString(), cached);
    return result.withKey(m.name() + "/" + result.key());
  }

  /**
   * Verifies every version in every mount (see {@link Registry#verifyAll}), continuing past problems.
   *
   * @param cached whether to check the cached copies instead of the remote
   * @return one result per version, keyed {@code mount/name@version}, in mount order
   */
  public List<VerifyResult> verifyAll(boolean cached) {
    List<VerifyResult> results = new ArrayList<>();
    for (Mount m : mounts.values()) {
      m.registry().verifyAll(cached).forEach(r -> results.add(r.withKey(m.name() + "/" + r.key())));
    }
    return results;
  }

  // ---------------------------------------------------------------- batch and map-like

  /**
   * Saves several objects, each routed by its key. Never throws for one item.
   *
   * @param items key to object, in iteration order
   * @param options applied to every item
   * @return one result per item, in order
   * @throws IllegalArgumentException before writing anything, when two keys name the same version of one mount
   */
  public BatchResult<Manifest> saveAll(Map<String, ?> items, SaveOptions options) {
    Set<String> seen = new HashSet<>();
    for (String key : items.keySet()) {
      Optional<String> identity = savedVersion(key);
      if (identity.isPresent() && !seen.add(identity.get())) {
        throw new IllegalArgumentException("batch names " + identity.get() + " twice (as '" + key + "' and"
            + " another key): each (mount, name, version) may appear once; nothing was saved");
      }
    }
    List<BatchResult.Item<Manifest>> results = new ArrayList<>();
    items.forEach((key, value) -> results.add(item(key, () -> save(key, value, options))));
    return new BatchResult<>(results);
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
    List<BatchResult.Item<T>> results = new ArrayList<>();
    keys.forEach(key -> results.add(item(key, () -> load(key, type))));
    return new BatchResult<>(results);
  }

  /**
   * Deletes several keys. Never throws for one item.
   *
   * @param keys the keys
   * @return one result per key (whether it existed), in order
   */
  public BatchResult<Boolean> deleteAll(List<String> keys) {
    List<BatchResult.Item<Boolean>> results = new ArrayList<>();
    keys.forEach(key -> results.add(item(key, () -> remove(key))));
    return new BatchResult<>(results);
  }

  /** {@code mount/name@version} a save of the key writes when known before saving; empty otherwise or invalid. */
  private Optional<String> savedVersion(String key) {
    try {
      StoreKey k = StoreKey.parse(key);
      Mount m = mounts.get(k.mount() != null ? k.mount() : requireDefaultMount(k));
      if (m == null) {
        return Optional.empty();
      }
      return m.registry().settings().versionSavedBy(k.key()).map(v -> m.name() + "/" + k.key().name() + "@" + v);
    } catch (RuntimeException invalid) {
      return Optional.empty(); // an invalid key, or one with nowhere to go, fails as its own item
    }
  }

  private static <T> BatchResult.Item<T> item(String key, java.util.function.Supplier<T> call) {
    try {
      return new BatchResult.Item<>(key, BatchResult.Status.OK, call.get(), null);
    } catch (RuntimeException e) {
      return BatchResult.Item.failed(key, e);
    }
  }

  /**
   * Same as {@link #save(String, Object)}.
   *
   * @param key the key
   * @param value the object
   * @return the manifest
   */
  public Manifest put(String key, Object value) {
    return save(key, value);
  }

  /**
   * Same as {@link #load(String)}.
   *
   * @param key the key
   * @return the object
   */
  public Object get(String key) {
    return load(key);
  }

  /**
   * Same as {@link #load(String, Class)}.
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
   * Same as {@link #exists(String)}.
   *
   * @param key the key
   * @return whether it resolves
   */
  public boolean containsKey(String key) {
    return exists(key);
  }

  /**
   * A live {@link Map} view, by the {@code Map} contract (see {@link ObjectMapView}): keys are exactly the
   * qualified names {@link #names()} lists, {@code mount/name} (an unqualified name, a version or a tag is never
   * a key), values the latest version, loaded on access (a file or a tree as its {@link Manifest}). {@code put}
   * saves into the key's mount and returns the previous latest value, which costs a load: {@link #put} is the cheap
   * path. {@code remove} deletes every version and returns the latest value.
   *
   * @return the view
   */
  public Map<String, Object> asMap() {
    return ObjectMapView.of(this::names, this::isViewKey, this::exists,
        key -> ObjectMapView.valueOf(info(key), versionKey -> load(mountOf(key) + "/" + versionKey)),
        this::save, this::remove);
  }

  /** Whether a string is a key of the map view: {@code mount/name} of an existing mount. */
  private boolean isViewKey(String text) {
    if (!StoreKey.isKey(text)) {
      return false;
    }
    StoreKey k = StoreKey.parse(text);
    return k.mount() != null && mounts.containsKey(k.mount()) && k.key().version() == null && k.key().tag() == null;
  }

  private static String mountOf(String qualified) {
    return qualified.substring(0, qualified.indexOf('/'));
  }


  // ---------------------------------------------------------------- copy, promote, sync

  /**
   * Copies a version to another mount or name, streaming the bytes (no deserialization) and keeping version,
   * metadata, materializer and digest. Idempotent.
   *
   * @param source {@code [mount/]name[@version|#tag]}
   * @param destination {@code mount}, {@code mount/} or {@code mount/newname}
   * @return what happened
   */
  public CopyResult copy(String source, String destination) {
    StoreKey from = StoreKey.parse(source);
    Mount src = mountFor(from);
    String mountName = destination.endsWith("/") ? destination.substring(0, destination.length() - 1) : destination;
    String name = from.key().name();
    int slash = mountName.indexOf('/');
    if (slash >= 0) {
      StoreKey to = StoreKey.parse(mountName);
      if (to.key().version() != null || to.key().tag() != null) {
        throw new StoreKeyFormatException("copy destination '" + destination + "' names a version: a copy keeps"
            + " the source's version; give mount or mount/name");
      }
      mountName = to.mount();
      name = to.key().name();
    }
    Mount dst = writable(StoreKey.requireMountName(mountName), null);
    locations.remove(name);
    return src.registry().copyTo(from.key().toString(), dst.registry(), name);
  }

  /**
   * Copies a version into another mount under the same name and version, as from staging to production.
   *
   * @param key the version, {@code [mount/]name[@version|#tag]}
   * @param toMount the mount to promote into
   * @return what happened
   */
  public CopyResult promote(String key, String toMount) {
    return copy(key, toMount);
  }

  /**
   * Merges every version of one mount into another, keeping version numbers; re-running copies nothing.
   *
   * @param fromMount the source mount
   * @param toMount the destination mount
   * @return one result per version
   */
  public BatchResult<CopyResult> sync(String fromMount, String toMount) {
    Mount dst = writable(toMount, null);
    return require(fromMount).registry().syncTo(dst.registry());
  }

  // ---------------------------------------------------------------- lifecycle

  /** Closes every mount's registry and deletes the temp mount. */
  @Override
  public void close() {
    probes.shutdownNow();
    RuntimeException first = null;
    for (Mount m : mounts.values()) {
      try {
        m.registry().close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    try (Stream<Path> files = Files.walk(tempDirectory)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      first = first == null ? new UncheckedIOException("cannot delete the temp mount at " + tempDirectory, e) : first;
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "Store" + mounts.keySet();
  }

  /** Where the temp mount lives, for tests. */
  Path tempDirectory() {
    return tempDirectory;
  }

  // ---------------------------------------------------------------- routing

  private Mount require(String name) {
    Mount m = mounts.get(name);
    if (m == null) {
      throw new StoreLocationNotFound("no mount named '" + name + "'; mounts are " + mounts.keySet()
          + ". Nothing was read or written");
    }
    return m;
  }

  private Mount writable(String name, @Nullable StoreKey key) {
    Mount m = require(name);
    if (m.readOnly()) {
      throw new ReadOnlyMountException("mount '" + name + "' is read-only" + (key != null ? ": cannot write or delete "
          + key : "") + "; use a writable mount");
    }
    return m;
  }

  /** The default mount for an unqualified write of {@code key}; refused when several mounts leave it open. */
  private String requireDefaultMount(StoreKey key) {
    return defaultMount().orElseThrow(() -> {
      Map<String, Mount> now = mounts;
      List<String> others = now.keySet().stream().filter(n -> !n.equals(TEMP)).toList();
      if (!others.isEmpty() && others.stream().allMatch(n -> now.get(n).readOnly())) {
        return new ReadOnlyMountException("cannot write " + key + ": every mount but temp is read-only " + others
            + "; write to temp/" + key + " explicitly, or open a mount writable. Nothing was written");
      }
      String example = others.isEmpty() ? TEMP : others.get(0);
      return new StoreLocationNotFound("cannot write " + key + ": the store has no default mount and several"
          + " mounts " + now.keySet() + "; qualify the key (e.g. " + example + "/" + key + ") or choose a"
          + " default mount (default: true in the store config, or Store.Builder.defaultMount). Nothing was written");
    });
  }

  private Mount mountFor(StoreKey key) {
    return key.mount() != null ? require(key.mount()) : locate(key, true);
  }

  /** The mount a read found the key's name in within the location memory, if it still holds the key. */
  private Optional<Mount> remembered(StoreKey key) {
    Location location = locations.get(key.key().name());
    if (location == null || !clock.instant().isBefore(location.until())) {
      return Optional.empty();
    }
    Mount m = mounts.get(location.mount());
    return m != null && m.registry().exists(key.key().toString()) ? Optional.of(m) : Optional.empty();
  }

  /**
   * Finds the one mount holding an unqualified key: for a read, the remembered one while the memory lasts;
   * otherwise every mount is asked at once.
   */
  private Mount locate(StoreKey key, boolean read) {
    if (read) {
      Optional<Mount> remembered = remembered(key);
      if (remembered.isPresent()) {
        return remembered.get();
      }
    }
    String name = key.key().name();
    locations.remove(name);
    List<Mount> hits = holders(key);
    if (hits.isEmpty()) {
      throw new ObjectNotFoundException(key + " is in none of the mounts " + mounts.keySet());
    }
    if (hits.size() > 1) {
      List<String> names = hits.stream().map(Mount::name).toList();
      throw new StoreAmbiguousObjectError(key + " is in mounts " + String.join(" and ", names) + ": qualify it, e.g. "
          + names.get(0) + "/" + key);
    }
    if (read && !locationMemory.isZero()) {
      locations.put(name, new Location(hits.get(0).name(), clock.instant().plus(locationMemory)));
    }
    return hits.get(0);
  }

  /** The mounts holding the key, asked concurrently, in mount order. */
  private List<Mount> holders(StoreKey key) {
    List<Mount> all = List.copyOf(mounts.values());
    List<CompletableFuture<Boolean>> found = new ArrayList<>();
    for (Mount m : all) {
      found.add(CompletableFuture.supplyAsync(() -> m.registry().exists(key.key().toString()), probes));
    }
    List<Mount> hits = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      try {
        if (found.get(i).join()) {
          hits.add(all.get(i));
        }
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    return hits;
  }

  /**
   * Configures a {@link Store}. Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, Mount> mounts = new LinkedHashMap<>();
    private @Nullable String defaultMount;
    private Clock clock = Clock.systemUTC();
    private Duration locationMemory = DEFAULT_LOCATION_MEMORY;

    private Builder() {}

    /**
     * Adds a writable mount; the store owns the registry.
     *
     * @param name the mount's name
     * @param registry its registry
     * @return this builder
     */
    public Builder mount(String name, Registry registry) {
      return mount(name, registry, false);
    }

    /**
     * Adds a mount; the store owns the registry.
     *
     * @param name the mount's name
     * @param registry its registry; one opened {@link Registry.Builder#readOnly read-only} makes a read-only mount
     * @param readOnly whether the store refuses writes and deletes into it (see {@link Store#mount})
     * @return this builder
     */
    public Builder mount(String name, Registry registry, boolean readOnly) {
      if (StoreKey.requireMountName(name).equals(TEMP) || mounts.containsKey(name)) {
        throw new IllegalArgumentException("mount '" + name + "' is named twice (temp is always there)");
      }
      mounts.put(name, new Mount(name, registry, readOnly || registry.isReadOnly()));
      return this;
    }

    /**
     * The mount unqualified writes go to. Without one, unqualified writes are refused unless {@code temp} is the
     * only mount.
     *
     * @param name a writable mount added to this builder
     * @return this builder
     */
    public Builder defaultMount(String name) {
      this.defaultMount = name;
      return this;
    }

    /**
     * How long a read's finding of where a name is stays trusted (default {@link Store#DEFAULT_LOCATION_MEMORY}): longer
     * saves probes of every mount on repeated reads, but a name another process writes into a second mount is
     * ambiguous only that long later. {@link Duration#ZERO} probes every mount on every read.
     *
     * @param value zero or more
     * @return this builder
     */
    public Builder locationMemory(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("locationMemory must be zero or more, got " + value);
      }
      this.locationMemory = value;
      return this;
    }

    /**
     * The clock the location memory ages by (default the UTC system clock); tests advance it.
     *
     * @param value the clock
     * @return this builder
     */
    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    /**
     * Creates the store with its temp mount.
     *
     * @return the store
     */
    public Store build() {
      return new Store(this);
    }
  }
}
