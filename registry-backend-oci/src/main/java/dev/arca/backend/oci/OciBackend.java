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
import java.util.ArrayList;
import java.util.HashMap;
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
 * <h2>Deleting and the janitor</h2>
 * Deleting a version deletes its manifest by digest. Blobs are never deleted: other versions may share them (same
 * content, same digest); the registry's own garbage collection reclaims unreferenced blobs. The janitor deletes
 * manifests that an overwrite replaced more than the grace period ago.
 */
final class OciBackend implements Backend {

  static final String ARTIFACT_TYPE = "application/vnd.arca.version.v1+json";
  static final String MANIFEST_TYPE = "application/vnd.arca.manifest.v1+json";
  static final String FILE_TYPE = "application/vnd.arca.file.v1";
  static final String SETTINGS_TYPE = "application/vnd.arca.settings.v1+json";
  static final String ALIASES_TYPE = "application/vnd.arca.tags.v1+json";
  static final String TITLE = "org.opencontainers.image.title";
  static final String NAME = "dev.arca.name";
  static final String SUPERSEDED = "dev.arca.superseded";
  static final int ATTEMPTS = 5;
  /** Reopens one blob read may cost after resets or truncated bodies. */
  static final int RESUMES = 4;

  private final Registry registry;
  private final ContainerRef repository;
  private final BackendContext context;
  private final OciFailures failures;
  private final Path spool;
  /** Hashed forms to the names they stand for; a form's name never changes. */
  private final Map<String, String> hashedNames = new ConcurrentHashMap<>();

  OciBackend(Registry registry, ContainerRef repository, BackendContext context, OciFailures failures)
      throws IOException {
    this.registry = registry;
    this.repository = repository;
    this.context = context;
    this.failures = failures;
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
    return readDocument(OciTags.version(name, version), Manifest.class, "manifest of " + name + "@" + version);
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
    Map<String, String> hashedSample = new HashMap<>();
    for (String tag : tags()) {
      OciTags.parseVersion(tag).ifPresent(p -> {
        String name = OciTags.decode(p.form());
        if (name != null) {
          names.add(name);
        } else {
          hashedSample.putIfAbsent(p.form(), tag);
        }
      });
    }
    hashedSample.forEach((form, tag) -> names.add(hashedNames.computeIfAbsent(form, f -> annotatedName(tag))));
    return new ArrayList<>(names);
  }

  @Override
  public List<Version> listVersions(String name) {
    String form = OciTags.form(name);
    List<Version> versions = new ArrayList<>();
    for (String tag : tags()) {
      OciTags.parseVersion(tag).filter(p -> p.form().equals(form)).ifPresent(p -> versions.add(p.version()));
    }
    versions.sort(null);
    return versions;
  }

  @Override
  public boolean deleteVersion(Manifest manifest, String expectedEtag) {
    String tag = OciTags.version(manifest.name(), manifest.version());
    Optional<String> current = digestOf(tag);
    if (current.isEmpty() || !current.get().equals(expectedEtag)) {
      return false;
    }
    deleteManifest(current.get());
    return true;
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
    // A registry has no clock to ask and no modification times: replacements are dated by the writer's clock.
    Instant horizon = context.clock().instant().minus(gracePeriod);
    List<String> orphans = new ArrayList<>();
    long files = 0;
    long bytes = 0;
    int kept = 0;
    for (String tag : tags()) {
      if (OciTags.parseVersion(tag).isEmpty()) {
        continue;
      }
      land.oras.Manifest live;
      try {
        live = retrying(() -> registry.getManifest(repository.withTag(tag)));
      } catch (OrasException e) {
        if (OciFailures.status(e) == 404) {
          continue; // deleted since the listing
        }
        throw failures.failure("GET manifest", tag, e);
      }
      for (Superseded old : Superseded.parse(live.getAnnotations().get(SUPERSEDED))) {
        if (old.at().isAfter(horizon)) {
          kept++;
          continue;
        }
        Optional<land.oras.Manifest> replaced = manifestByDigest(old.digest());
        if (replaced.isEmpty()) {
          continue; // reclaimed before
        }
        orphans.add(replaced.get().getAnnotations().getOrDefault(NAME, tag) + "/" + old.digest());
        for (Layer layer : replaced.get().getLayers()) {
          files++;
          bytes += layer.getSize();
        }
        if (apply) {
          deleteManifest(old.digest());
        }
      }
    }
    return new JanitorReport(apply, orphans, files, bytes, kept);
  }

  /** A manifest an overwrite replaced: its digest and when. Stored in the new manifest's annotations. */
  record Superseded(String digest, Instant at) {
    static List<Superseded> parse(@Nullable String annotation) {
      List<Superseded> list = new ArrayList<>();
      if (annotation != null && !annotation.isEmpty()) {
        for (String entry : annotation.split(",")) {
          int at = entry.indexOf('@');
          list.add(new Superseded(entry.substring(0, at), Instant.parse(entry.substring(at + 1))));
        }
      }
      return list;
    }

    static String format(List<Superseded> list) {
      StringBuilder out = new StringBuilder();
      for (Superseded s : list) {
        out.append(out.length() == 0 ? "" : ",").append(s.digest()).append('@').append(s.at());
      }
      return out.toString();
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
      Map<String, String> annotations = new TreeMap<>();
      annotations.put(NAME, name);
      annotations.put("dev.arca.version", manifest.version().toString());
      annotations.put("org.opencontainers.image.created", manifest.createdAt().toString());
      if (expectedEtag != null) {
        List<Superseded> superseded = new ArrayList<>();
        manifestByDigest(expectedEtag).ifPresent(old -> superseded.addAll(
            Superseded.parse(old.getAnnotations().get(SUPERSEDED))));
        superseded.add(new Superseded(expectedEtag, context.clock().instant()));
        annotations.put(SUPERSEDED, Superseded.format(superseded));
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
    land.oras.Manifest manifest;
    try {
      manifest = retrying(() -> registry.getManifest(repository.withTag(tag)));
    } catch (OrasException e) {
      if (OciFailures.status(e) == 404) {
        return Optional.empty();
      }
      throw failures.failure("GET manifest", tag, e);
    }
    byte[] json;
    String configDigest = manifest.getConfig().getDigest();
    try (InputStream in = fetch(repository.withDigest(configDigest), manifest.getConfig().getSize())) {
      json = in.readAllBytes();
    } catch (OrasException e) {
      throw failures.failure("GET config blob", tag, e);
    } catch (IOException e) {
      throw failures.failure("GET config blob", tag, e);
    }
    if (!sha256Prefixed(json).equals(manifest.getConfig().getDigest())) {
      throw new IntegrityException(what + " in OCI tag '" + tag + "': its config blob does not match its digest");
    }
    try {
      return Optional.of(new Stamped<>(context.fromJson(json, type), manifest.getDescriptor().getDigest()));
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
    land.oras.Manifest pushed;
    try {
      Layer configBlob = retrying(() -> registry.pushBlob(repository, config));
      land.oras.Manifest manifest = land.oras.Manifest.empty()
          .withArtifactType(ArtifactType.from(ARTIFACT_TYPE))
          .withConfig(Config.fromBlob(configType, configBlob))
          .withLayers(layers)
          .withAnnotations(annotations);
      pushed = retrying(() -> registry.pushManifest(repository.withTag(tag), manifest));
    } catch (OrasException e) {
      throw failures.failure("PUT manifest", tag, e);
    }
    String digest = pushed.getDescriptor().getDigest();
    return digestOf(tag).filter(digest::equals); // another writer's push since ours: a conflict
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

  private String annotatedName(String tag) {
    try {
      String name = retrying(() -> registry.getManifest(repository.withTag(tag))).getAnnotations().get(NAME);
      if (name == null) {
        throw new IntegrityException("OCI tag '" + tag + "' has no " + NAME + " annotation");
      }
      return name;
    } catch (OrasException e) {
      throw failures.failure("GET manifest", tag, e);
    }
  }

  private List<String> tags() {
    try {
      List<String> tags = retrying(() -> registry.getTags(repository)).tags();
      return tags == null ? List.of() : tags;
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
