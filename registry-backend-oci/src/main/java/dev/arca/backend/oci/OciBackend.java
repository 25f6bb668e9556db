package dev.arca.backend.oci;

import dev.arca.registry.FileEntry;
import dev.arca.registry.IntegrityException;
import dev.arca.registry.JanitorReport;
import dev.arca.registry.Manifest;
import dev.arca.registry.Names;
import dev.arca.registry.Version;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.RegistrySettings;
import dev.arca.registry.spi.ResumingInputStream;
import dev.arca.registry.spi.StagedVersion;
import dev.arca.registry.spi.Stamped;
import dev.arca.registry.spi.TagRecord;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import land.oras.ArtifactType;
import land.oras.Config;
import land.oras.ContainerRef;
import land.oras.Layer;
import land.oras.Registry;
import land.oras.Tags;
import land.oras.exception.OrasException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Backend} on one repository of an OCI registry: each version is an OCI artifact that other OCI tools
 * can read.
 *
 * <h2>Layout</h2>
 * Version {@code V} of a name is a manifest tagged as {@link OciTags} describes, with artifactType
 * {@value #ARTIFACT_TYPE}; its config blob is the Arca manifest JSON ({@value #MANIFEST_TYPE}); each file is one
 * layer ({@value #FILE_TYPE}) whose {@code org.opencontainers.image.title} is its path and whose digest is the
 * file's sha256. A name's tags (aliases) are one document in a reserved tag, the settings another.
 *
 * <h2>Commit, and the race that remains</h2>
 * Blobs go up first (skipped when the registry has them), so pushing the manifest is the commit, and a reader
 * never sees a version with missing files. OCI has no conditional manifest write, so this backend declares no
 * conditional capability and narrows the race instead: it checks the tag before pushing and reads it back after,
 * reporting a conflict when the tag points elsewhere. What remains: two writers that push one (name, version)
 * within one round trip of each other may both be acknowledged, and the later push then holds the tag (the earlier
 * manifest stays in the repository by digest). Use one writer per name, or a backend with conditional writes,
 * where that matters.
 *
 * <h2>Deleting: tombstones</h2>
 * Deleting version {@code V} pushes a tombstone under its tag: a manifest without layers whose
 * {@value #DELETED} annotation holds a fresh id and whose config is {@value #TOMBSTONE_TYPE}. It reads as absent,
 * and auto-increment still counts its number ({@link #lastVersion}), so no number is handed out twice. Beside it
 * a listing hint ({@code _x} tag, see {@link OciTags}) lets listings skip it without reading manifests; an applied
 * janitor writes a hint a crash left out. Core then removes the tags pointing at the version, and a tag move
 * re-reads the tombstone after writing and undoes itself. Like every write here, the tombstone is checked before
 * and read back after its push, with the race described above.
 *
 * <h2>Replaced manifests and the janitor</h2>
 * An overwrite or a tombstone leaves the manifest it replaced in the repository by digest, for readers that hold
 * it, and names it in its {@value #SUPERSEDED} annotation: one digest, so a manifest's size never grows with its
 * history. The janitor follows these links from each version tag and deletes the replaced manifests (oldest
 * first, so no link is lost) once a grace period has passed since an applied janitor run first saw them replaced,
 * by the registry's clock ({@link ServerClock}: registries expose no modification times, and no writer's clock is
 * trusted). Those first sightings live in the {@code _arca.janitor} document; a dry run reads them and writes
 * nothing. Blobs are never deleted: other versions may share them (same content, same digest); the registry's own
 * garbage collection reclaims unreferenced blobs.
 *
 * <h2>Listings</h2>
 * Tags are listed page by page ({@code n} and {@code last}, following the registry's {@code Link} header), and
 * only tags that parse back exactly as Arca writes them count; other tools' tags are ignored.
 */
final class OciBackend implements Backend {

  static final String ARTIFACT_TYPE = "application/vnd.arca.version.v1+json";
  static final String MANIFEST_TYPE = "application/vnd.arca.manifest.v1+json";
  static final String FILE_TYPE = "application/vnd.arca.file.v1";
  static final String SETTINGS_TYPE = "application/vnd.arca.settings.v1+json";
  static final String ALIASES_TYPE = "application/vnd.arca.tags.v1+json";
  static final String TITLE = "org.opencontainers.image.title";
  static final String NAME = "dev.arca.name";
  static final String VERSION = "dev.arca.version";
  static final String SUPERSEDED = "dev.arca.superseded";
  static final String DELETED = "dev.arca.deleted";
  static final String TOMBSTONE_TYPE = "application/vnd.arca.tombstone.v1+json";
  static final String HINT_TYPE = "application/vnd.arca.deleted.v1+json";
  static final String JANITOR_TYPE = "application/vnd.arca.janitor.v1+json";
  /** Tags asked for per page; a registry may answer with fewer and a {@code Link} to the rest. */
  static final int TAG_PAGE = 1000;
  static final int ATTEMPTS = 5;
  /** Reopens one blob read may cost after resets or truncated bodies. */
  static final int RESUMES = 4;

  private final Registry registry;
  private final ContainerRef repository;
  private final BackendContext context;
  private final OciFailures failures;
  private final ServerClock serverClock;
  private final Path spool;
  /** Hashed forms to the names they stand for; a form's name never changes. */
  private final Map<String, String> hashedNames = new ConcurrentHashMap<>();
  /** The registry's versionDigits once known (0 before): it never changes, and it tells Arca's tags from others. */
  private volatile int versionDigits;

  OciBackend(Registry registry, ContainerRef repository, BackendContext context, OciFailures failures)
      throws IOException {
    this.registry = registry;
    this.repository = repository;
    this.context = context;
    this.failures = failures;
    this.serverClock = new ServerClock(URI.create(registry.getScheme() + "://" + repository.getApiRegistry()),
        failures);
    this.spool = Files.createTempDirectory("arca-oci-");
  }

  @Override
  public String scheme() {
    return "oci";
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, false, false, Names.MAX_NAME_LENGTH, true);
  }

  // ---- Settings ------------------------------------------------------------------------------------------

  @Override
  public Optional<Stamped<RegistrySettings>> readSettings() {
    return readDocument(OciTags.SETTINGS, RegistrySettings.class, "registry settings");
  }

  @Override
  public boolean writeSettings(RegistrySettings settings, @Nullable String expectedEtag) {
    return replaceDocument(OciTags.SETTINGS, SETTINGS_TYPE, context.toJson(settings), expectedEtag, Map.of());
  }

  // ---- Versions ------------------------------------------------------------------------------------------

  @Override
  public StagedVersion stage(String name, Duration gracePeriod) {
    return new Attempt(Names.requireName(name));
  }

  @Override
  public Optional<Stamped<Manifest>> readManifest(String name, Version version) {
    String tag = OciTags.version(name, version);
    return manifestAt(tag).filter(m -> !isTombstone(m)).map(m -> new Stamped<>(
        config(m, tag, Manifest.class, "manifest of " + name + "@" + version), digest(m)));
  }

  @Override
  public Optional<String> tombstone(String name, Version version) {
    return manifestAt(OciTags.version(name, version)).filter(OciBackend::isTombstone).map(OciBackend::digest);
  }

  @Override
  public InputStream openFile(Manifest manifest, FileEntry file) throws IOException {
    ContainerRef blob = repository.withDigest("sha256:" + file.sha256());
    try {
      return fetch(blob, file.size());
    } catch (OrasException e) {
      if (OciFailures.status(e) == 404) {
        throw new NoSuchFileException(manifest.name() + "@" + manifest.version() + "/" + file.path()
            + " (blob sha256:" + file.sha256() + ")");
      }
      throw failures.failure("GET blob", file.path(), e);
    }
  }

  @Override
  public List<String> listNames() {
    Set<String> names = new TreeSet<>();
    listings().forEach((form, listing) -> {
      if (listing.live().isEmpty()) {
        return;
      }
      String name = listing.name() != null ? listing.name()
          : hashedNames.computeIfAbsent(form, f -> annotatedName(listing.sampleTag()));
      if (name != null) { // null: a foreign tag that happens to look like a hashed form
        names.add(name);
      }
    });
    return new ArrayList<>(names);
  }

  @Override
  public List<Version> listVersions(String name) {
    Listing listing = listings().get(OciTags.form(name));
    return listing == null ? List.of() : listing.live();
  }

  @Override
  public Optional<Version> lastVersion(String name) {
    Listing listing = listings().get(OciTags.form(name));
    return listing == null ? Optional.empty() : Optional.of(listing.committed().last());
  }

  /**
   * One name's tags in a listing: every version number committed (tombstones included) and those with a
   * deletion hint, the name (null for a hashed form) and one of its version tags.
   */
  private record Listing(@Nullable String name, String sampleTag, TreeSet<Version> committed, Set<Version> deleted) {
    List<Version> live() {
      List<Version> live = new ArrayList<>(committed);
      live.removeAll(deleted);
      return live;
    }
  }

  /** One paged listing of the repository, Arca's tags only, by the name's form. */
  private Map<String, Listing> listings() {
    int digits = versionDigits();
    Map<String, Listing> byForm = new TreeMap<>();
    if (digits == 0) {
      return byForm; // no settings yet: nothing Arca wrote is here
    }
    for (String tag : tags()) {
      OciTags.parse(tag, digits).ifPresent(p -> {
        Listing listing = byForm.computeIfAbsent(p.form(),
            f -> new Listing(p.name(), tag, new TreeSet<>(), new HashSet<>()));
        (p.deletedHint() ? listing.deleted() : listing.committed()).add(p.version());
      });
    }
    byForm.values().removeIf(l -> l.committed().isEmpty()); // hints left by a crash, nothing else
    return byForm;
  }

  private int versionDigits() {
    int known = versionDigits;
    if (known == 0) {
      known = readSettings().map(s -> s.value().versionDigits()).orElse(0);
      versionDigits = known;
    }
    return known;
  }

  @Override
  public boolean deleteVersion(Manifest manifest, String expectedEtag) {
    String name = manifest.name();
    Version version = manifest.version();
    String tag = OciTags.version(name, version);
    Optional<land.oras.Manifest> current = manifestAt(tag);
    if (current.isEmpty() || isTombstone(current.get()) || !digest(current.get()).equals(expectedEtag)) {
      return false;
    }
    String id = UUID.randomUUID().toString();
    Map<String, String> annotations = annotations(name, version);
    annotations.put(DELETED, id);
    annotations.put(SUPERSEDED, expectedEtag);
    byte[] json = context.toJson(new Tombstone(name, version, id));
    if (push(tag, TOMBSTONE_TYPE, json, List.of(), expectedEtag, annotations).isEmpty()) {
      return false; // changed before our push, or another push landed right after it
    }
    pushHint(name, version);
    return true;
  }

  /** The config of a tombstone: what was deleted, and the deletion's id. */
  record Tombstone(String name, Version version, String id) {}

  /** The config of a deletion hint; the same bytes for every deletion of one version, so one digest. */
  record DeletionHint(String name, Version version) {}

  private void pushHint(String name, Version version) {
    pushManifest(OciTags.deleted(name, version), HINT_TYPE, context.toJson(new DeletionHint(name, version)),
        List.of(), annotations(name, version));
  }

  /**
   * Removes a version's deletion hint before the version is saved again (an unversioned registry). The hint's
   * manifest is its own (its bytes name the version), so deleting it by digest removes only the hint's tag.
   */
  private void removeHint(String name, Version version) {
    digestOf(OciTags.deleted(name, version)).ifPresent(this::deleteManifest);
  }

  private static boolean isTombstone(land.oras.Manifest manifest) {
    return annotationsOf(manifest).containsKey(DELETED);
  }

  private Map<String, String> annotations(String name, Version version) {
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(NAME, name);
    annotations.put(VERSION, version.toString());
    return annotations;
  }

  private static Map<String, String> annotationsOf(land.oras.Manifest manifest) {
    Map<String, String> annotations = manifest.getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private static String digest(land.oras.Manifest manifest) {
    return manifest.getDescriptor().getDigest();
  }

  // ---- Tags (aliases) ------------------------------------------------------------------------------------

  @Override
  public Optional<Stamped<TagRecord>> readTag(String name, String tag) {
    Optional<Stamped<Aliases>> aliases = readDocument(OciTags.aliases(name), Aliases.class, "tags of " + name);
    return aliases.flatMap(a -> Optional.ofNullable(a.value().tags().get(tag)))
        .map(record -> new Stamped<>(record, etag(record)));
  }

  @Override
  public boolean writeTag(String name, String tag, TagRecord record, @Nullable String expectedEtag) {
    return updateAliases(name, tag, expectedEtag, record);
  }

  @Override
  public List<String> listTags(String name) {
    return readDocument(OciTags.aliases(name), Aliases.class, "tags of " + name)
        .map(a -> List.copyOf(new TreeSet<>(a.value().tags().keySet()))).orElse(List.of());
  }

  /** Sets one alias if its current etag is {@code expectedEtag} (a removal is a record without a version). */
  private boolean updateAliases(String name, String tag, @Nullable String expectedEtag, TagRecord record) {
    String aliasTag = OciTags.aliases(name);
    Optional<Stamped<Aliases>> current = readDocument(aliasTag, Aliases.class, "tags of " + name);
    Map<String, TagRecord> tags = new TreeMap<>(current.map(a -> a.value().tags()).orElse(Map.of()));
    TagRecord existing = tags.get(tag);
    boolean holds = expectedEtag == null ? existing == null : existing != null && etag(existing).equals(expectedEtag);
    if (!holds) {
      return false;
    }
    tags.put(tag, record);
    byte[] json = context.toJson(new Aliases(name, tags));
    return replaceDocument(aliasTag, ALIASES_TYPE, json, current.map(Stamped::etag).orElse(null), Map.of(NAME, name));
  }

  /** All aliases of one name, stored as one document. */
  record Aliases(String name, Map<String, TagRecord> tags) {}

  private String etag(TagRecord record) {
    return sha256(context.toJson(record));
  }

  // ---- Janitor -------------------------------------------------------------------------------------------

  @Override
  public JanitorReport janitor(boolean apply, Duration gracePeriod) {
    Optional<Stamped<Sightings>> before = readDocument(OciTags.JANITOR, Sightings.class, "janitor's sightings");
    Map<String, Instant> seenBefore = before.map(s -> s.value().firstSeen()).orElse(Map.of());
    List<List<Replaced>> chains = new ArrayList<>();
    Set<String> visited = new HashSet<>();
    listings().forEach((form, listing) -> {
      for (Version version : listing.committed()) {
        String tag = OciTags.versionOfForm(form, version);
        Optional<land.oras.Manifest> live = manifestAt(tag);
        if (live.isEmpty()) {
          continue; // deleted since the listing
        }
        String name = annotationsOf(live.get()).getOrDefault(NAME, tag);
        if (apply && isTombstone(live.get()) && !listing.deleted().contains(version)) {
          pushHint(name, version); // a delete that stopped between its tombstone and its hint
        }
        chains.add(replacedBy(live.get(), name, visited));
      }
    });
    // Read after the scan: every replacement seen above was pushed before this time.
    Instant now = serverClock.now();
    Map<String, Instant> seen = new TreeMap<>();
    List<String> orphans = new ArrayList<>();
    long files = 0;
    long bytes = 0;
    int kept = 0;
    for (List<Replaced> chain : chains) {
      boolean keepRest = false; // once one is kept, so are the younger ones: none is cut off from the chain
      for (Replaced old : chain) {
        Instant first = seenBefore.get(old.digest());
        keepRest |= first == null || first.plus(gracePeriod).plus(ServerClock.RESOLUTION).isAfter(now);
        if (keepRest) {
          kept++;
          seen.put(old.digest(), first == null ? now : first);
          continue;
        }
        orphans.add(old.name() + "/" + old.digest());
        for (Layer layer : old.manifest().getLayers()) {
          files++;
          bytes += layer.getSize();
        }
        if (apply) {
          deleteManifest(old.digest());
        } else {
          seen.put(old.digest(), first);
        }
      }
    }
    if (apply && !seen.equals(seenBefore)) {
      recordSightings(new Sightings(seen), before);
    }
    return new JanitorReport(apply, orphans, files, bytes, kept);
  }

  /** A manifest an overwrite or a delete replaced, still in the repository by digest. */
  private record Replaced(String digest, String name, land.oras.Manifest manifest) {}

  /**
   * The replaced manifests reachable from {@code live} through {@value #SUPERSEDED} links, oldest first: deleting
   * in this order never loses the link to a manifest not yet deleted.
   */
  private List<Replaced> replacedBy(land.oras.Manifest live, String name, Set<String> visited) {
    List<Replaced> chain = new ArrayList<>();
    ArrayDeque<String> next = new ArrayDeque<>(superseded(live));
    while (!next.isEmpty()) {
      String digest = next.pop();
      if (!visited.add(digest)) {
        continue;
      }
      Optional<land.oras.Manifest> old = manifestByDigest(digest);
      if (old.isPresent()) { // absent: reclaimed before, and so was everything it replaced
        chain.add(new Replaced(digest, name, old.get()));
        superseded(old.get()).forEach(next::push);
      }
    }
    Collections.reverse(chain);
    return chain;
  }

  /**
   * The digests a manifest names as replaced: one in this layout; a list of {@code digest@time} entries in
   * manifests written before it (their writer-clock times are ignored).
   */
  static List<String> superseded(land.oras.Manifest manifest) {
    String annotation = annotationsOf(manifest).get(SUPERSEDED);
    List<String> digests = new ArrayList<>();
    if (annotation != null && !annotation.isEmpty()) {
      for (String entry : annotation.split(",")) {
        int at = entry.indexOf('@');
        digests.add(at < 0 ? entry : entry.substring(0, at));
      }
    }
    return digests;
  }

  /**
   * When an applied janitor run first saw each replaced manifest that is still there, by the registry's clock.
   * Losing an entry to a racing janitor only dates it later, which is safe.
   */
  record Sightings(Map<String, Instant> firstSeen) {}

  private void recordSightings(Sightings sightings, Optional<Stamped<Sightings>> before) {
    String previous = before.map(Stamped::etag).orElse(null);
    Optional<String> written = push(OciTags.JANITOR, JANITOR_TYPE, context.toJson(sightings), List.of(), previous,
        Map.of());
    if (written.isPresent() && previous != null && !previous.equals(written.get())) {
      deleteManifest(previous); // only janitors read this document, and a missing one reads as empty
    }
  }

  @Override
  public void close() throws IOException {
    try (var files = Files.list(spool)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(spool);
  }

  @Override
  public String toString() {
    return "OciBackend{oci://" + repository.getRegistry() + "/" + repository.getFullRepository() + "}";
  }

  // ---- One write attempt ---------------------------------------------------------------------------------

  /** Files spool to disk while hashing, then go up as blobs; the manifest push commits. */
  private final class Attempt implements StagedVersion {
    private final String name;
    private final String uuid = UUID.randomUUID().toString();
    private final Map<String, Layer> layers = new LinkedHashMap<>();

    Attempt(String name) {
      this.name = name;
    }

    @Override
    public String uuid() {
      return uuid;
    }

    @Override
    public OutputStream create(String path) throws IOException {
      Names.requirePath(path);
      Path file = Files.createTempFile(spool, "file-", "");
      return new FilterOutputStream(Files.newOutputStream(file)) {
        private boolean closed;

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          if (closed) {
            return;
          }
          closed = true;
          try {
            super.close();
            layers.put(path, pushBlob(file, path));
          } finally {
            Files.deleteIfExists(file);
          }
        }
      };
    }

    private Layer pushBlob(Path file, String path) {
      try {
        return retrying(() -> registry.pushBlob(repository, file, Map.of(TITLE, path))).withMediaType(FILE_TYPE);
      } catch (OrasException e) {
        throw failures.failure("PUT blob", path, e);
      }
    }

    @Override
    public Optional<String> commit(Manifest manifest, @Nullable String expectedEtag) {
      String tag = OciTags.version(name, manifest.version());
      List<Layer> files = new ArrayList<>();
      for (FileEntry f : manifest.files()) {
        Layer layer = layers.get(f.path());
        if (layer == null || !layer.getDigest().equals("sha256:" + f.sha256())) {
          throw new IllegalStateException("manifest file " + f.path() + " was not written by this attempt");
        }
        files.add(layer);
      }
      Map<String, String> annotations = annotations(name, manifest.version());
      annotations.put("org.opencontainers.image.created", manifest.createdAt().toString());
      if (expectedEtag != null) {
        annotations.put(SUPERSEDED, expectedEtag); // one link: the janitor follows the chain
        removeHint(name, manifest.version()); // saving over a tombstone: the version is listed again
      }
      return push(tag, MANIFEST_TYPE, context.toJson(manifest), files, expectedEtag, annotations);
    }

    @Override
    public void close() {
      layers.clear(); // blobs stay: unreferenced ones are the registry's garbage collection's to reclaim
    }
  }

  // ---- Documents and manifests ---------------------------------------------------------------------------

  private <T> Optional<Stamped<T>> readDocument(String tag, Class<T> type, String what) {
    return manifestAt(tag).map(m -> new Stamped<>(config(m, tag, type, what), digest(m)));
  }

  /** The manifest a tag points to, or empty when there is none. */
  private Optional<land.oras.Manifest> manifestAt(String tag) {
    try {
      return Optional.of(retrying(() -> registry.getManifest(repository.withTag(tag))));
    } catch (OrasException e) {
      if (OciFailures.status(e) == 404) {
        return Optional.empty();
      }
      throw failures.failure("GET manifest", tag, e);
    }
  }

  /** Reads and checks a manifest's config blob, the document it carries. */
  private <T> T config(land.oras.Manifest manifest, String tag, Class<T> type, String what) {
    byte[] json;
    String configDigest = manifest.getConfig().getDigest();
    try (InputStream in = fetch(repository.withDigest(configDigest), manifest.getConfig().getSize())) {
      json = in.readAllBytes();
    } catch (OrasException e) {
      throw failures.failure("GET config blob", tag, e);
    } catch (IOException e) {
      throw failures.failure("GET config blob", tag, e);
    }
    if (!sha256Prefixed(json).equals(configDigest)) {
      throw new IntegrityException(what + " in OCI tag '" + tag + "': its config blob does not match its digest");
    }
    try {
      return context.fromJson(json, type);
    } catch (IllegalArgumentException e) {
      throw new IntegrityException(what + " in OCI tag '" + tag + "' is malformed (" + e.getMessage()
          + "): it was truncated, corrupted or written by something else");
    }
  }

  private boolean replaceDocument(String tag, String type, byte[] json, @Nullable String expectedEtag,
      Map<String, String> annotations) {
    return push(tag, type, json, List.of(), expectedEtag, annotations).isPresent();
  }

  /**
   * Pushes a manifest to {@code tag} if the tag is absent ({@code expectedEtag} null) or holds
   * {@code expectedEtag}: checked before the push, and the tag read back after it.
   */
  private Optional<String> push(String tag, String configType, byte[] config, List<Layer> layers,
      @Nullable String expectedEtag, Map<String, String> annotations) {
    Optional<String> before = digestOf(tag);
    if (expectedEtag == null ? before.isPresent() : !before.equals(Optional.of(expectedEtag))) {
      return Optional.empty();
    }
    String digest = pushManifest(tag, configType, config, layers, annotations);
    return digestOf(tag).filter(digest::equals); // another writer's push since ours: a conflict
  }

  /** Pushes a manifest to {@code tag} unconditionally. */
  private String pushManifest(String tag, String configType, byte[] config, List<Layer> layers,
      Map<String, String> annotations) {
    try {
      Layer configBlob = retrying(() -> registry.pushBlob(repository, config));
      land.oras.Manifest manifest = land.oras.Manifest.empty()
          .withArtifactType(ArtifactType.from(ARTIFACT_TYPE))
          .withConfig(Config.fromBlob(configType, configBlob))
          .withLayers(layers)
          .withAnnotations(annotations);
      return digest(retrying(() -> registry.pushManifest(repository.withTag(tag), manifest)));
    } catch (OrasException e) {
      throw failures.failure("PUT manifest", tag, e);
    }
  }

  private Optional<String> digestOf(String tag) {
    try {
      return Optional.of(retrying(() -> registry.probeDescriptor(repository.withTag(tag))).getDigest());
    } catch (OrasException e) {
      if (OciFailures.status(e) == 404) {
        return Optional.empty();
      }
      throw failures.failure("HEAD manifest", tag, e);
    }
  }

  private Optional<land.oras.Manifest> manifestByDigest(String digest) {
    try {
      return Optional.of(retrying(() -> registry.getManifest(repository.withDigest(digest))));
    } catch (OrasException e) {
      if (OciFailures.status(e) == 404) {
        return Optional.empty();
      }
      throw failures.failure("GET manifest", digest, e);
    }
  }

  private void deleteManifest(String digest) {
    try {
      retrying(() -> {
        registry.deleteManifest(repository.withDigest(digest));
        return null;
      });
    } catch (OrasException e) {
      if (OciFailures.status(e) != 404) {
        throw failures.failure("DELETE manifest", digest, e);
      }
    }
  }

  /** The name in a version tag's annotations; null when it has none (a tag some other tool pushed). */
  private @Nullable String annotatedName(String tag) {
    return manifestAt(tag).map(m -> annotationsOf(m).get(NAME)).filter(Names::isValidName).orElse(null);
  }

  /**
   * Every tag of the repository, page by page: {@code n} tags per request, then the rest after the {@code last}
   * one the registry's {@code Link} header names (registries that page by default truncate a plain listing).
   */
  private List<String> tags() {
    List<String> all = new ArrayList<>();
    String last = null;
    try {
      while (true) {
        String after = last;
        Tags page = retrying(() -> registry.getTags(repository, TAG_PAGE, after));
        List<String> tags = page.tags() == null ? List.of() : page.tags();
        all.addAll(tags);
        last = page.last();
        if (last == null || tags.isEmpty() || last.equals(after)) {
          return all;
        }
      }
    } catch (OrasException e) {
      if (OciFailures.status(e) == 404) {
        return List.of(); // a repository with nothing pushed yet
      }
      throw failures.failure("GET tags", null, e);
    }
  }

  /** Opens a blob; a reset or truncated body refetches it and skips what was read (blobs never change). */
  private InputStream fetch(ContainerRef blob, long size) {
    InputStream first = retrying(() -> registry.fetchBlob(blob));
    return new ResumingInputStream(first, size, RESUMES, position -> {
      InputStream again = retrying(() -> registry.fetchBlob(blob));
      again.skipNBytes(position);
      return again;
    });
  }

  /**
   * Runs one registry call, again after a 5xx, a 429 or a broken connection (up to {@value #ATTEMPTS} attempts
   * with backoff). Every call here may be repeated: blobs are content-addressed, a manifest push of the same bytes
   * lands the same digest, and a repeated delete meets a 404 that callers treat as done.
   */
  static <T> T retrying(java.util.function.Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (OrasException e) {
        int status = OciFailures.status(e);
        boolean transientFailure = status <= 0 || status >= 500 || status == 429;
        if (!transientFailure || attempt >= ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(50L << attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256Digest().digest(bytes));
  }

  private static String sha256Prefixed(byte[] bytes) {
    return "sha256:" + sha256(bytes);
  }
}
