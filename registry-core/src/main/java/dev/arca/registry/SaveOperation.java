package dev.arca.registry;

import dev.arca.registry.internal.materialize.StagedArtifactWriter;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.Materializer;
import dev.arca.registry.spi.RegistrySettings;
import dev.arca.registry.spi.Stamped;
import dev.arca.registry.spi.StagedVersion;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One save: stream the object into a fresh write attempt, then commit its manifest by the conflict policy.
 * Auto-increment claims the next version with create-if-absent and, on losing a race, claims the one after
 * with the files already uploaded: versions come out distinct and dense, and no writer fails spuriously.
 */
final class SaveOperation {

  /** Attempts before an auto-increment or overwrite gives up under extreme contention. */
  static final int MAX_ATTEMPTS = 1000;
  private static final int RELIST_EVERY = 16;

  /** A finished save: the manifest, and whether an existing version was kept (SKIP). */
  record Saved(Manifest manifest, boolean skipped) {}

  private final Backend backend;
  private final Clock clock;
  private final String user;

  SaveOperation(Backend backend, Clock clock, String user) {
    this.backend = backend;
    this.clock = clock;
    this.user = user;
  }

  Saved save(ObjectKey key, @Nullable Version explicit, Object value, Materializer<?> materializer,
      SaveOptions options, RegistrySettings settings) throws IOException {
    String name = key.name();
    if (explicit != null && options.onConflict() == OnConflict.SKIP) {
      Optional<Stamped<Manifest>> existing = backend.readManifest(name, explicit);
      if (existing.isPresent()) {
        return new Saved(existing.get().value(), true);
      }
    }
    try (StagedVersion staged = backend.stage(name, settings.gracePeriod())) {
      StagedArtifactWriter writer = new StagedArtifactWriter(staged, options.progress());
      String objectClass = write(materializer, value, writer);
      Template template = new Template(name, staged.uuid(), objectClass, materializer, writer.entries(),
          writer.params(), options);
      return explicit != null
          ? commitExplicit(staged, template, explicit, options.onConflict(), settings)
          : commitNext(staged, template, settings);
    }
  }

  private Saved commitExplicit(StagedVersion staged, Template template, Version version, OnConflict policy,
      RegistrySettings settings) throws IOException {
    String name = template.name;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Optional<Stamped<Manifest>> current = Optional.empty();
      if (policy == OnConflict.OVERWRITE) {
        current = backend.readManifest(name, version);
      }
      Manifest manifest = template.at(version, clock);
      if (staged.commit(manifest, current.map(Stamped::etag).orElse(null)).isPresent()) {
        return new Saved(manifest, false);
      }
      Optional<Stamped<Manifest>> winner = backend.readManifest(name, version);
      if (winner.isEmpty()) {
        Optional<String> tombstone = backend.tombstone(name, version);
        if (tombstone.isPresent() && settings.versioned()) {
          throw new VersionConflictException(name + "@" + version + " was deleted, and a version number is never"
              + " used twice (caches and tags may still know the old content): save another version");
        }
        if (tombstone.isPresent() && staged.commit(manifest, tombstone.get()).isPresent()) {
          return new Saved(manifest, false); // an unversioned registry's one version, saved again after a delete
        }
        continue; // deleted or replaced meanwhile: look again
      }
      switch (policy) {
        case FAIL -> throw new VersionConflictException(name + "@" + version + " already exists: save a new"
            + " version, pass OnConflict.SKIP to keep it, or OnConflict.OVERWRITE in a mutable registry");
        case SKIP -> {
          return new Saved(winner.get().value(), true);
        }
        case OVERWRITE -> {
          // another writer replaced it since we read it: read again and retry
        }
      }
    }
    throw new VersionConflictException("gave up writing " + name + "@" + version + " after " + MAX_ATTEMPTS
        + " attempts lost to concurrent writers");
  }

  private Saved commitNext(StagedVersion staged, Template template, RegistrySettings settings) throws IOException {
    String name = template.name;
    Version next = nextAfter(name, settings);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Manifest manifest = template.at(next, clock);
      if (staged.commit(manifest, null).isPresent()) {
        return new Saved(manifest, false);
      }
      next = next.next();
      if (attempt % RELIST_EVERY == 0) {
        Version fresh = nextAfter(name, settings);
        next = fresh.compareTo(next) > 0 ? fresh : next;
      }
    }
    throw new VersionConflictException("gave up choosing a version for " + name + " after " + MAX_ATTEMPTS
        + " attempts lost to concurrent writers");
  }

  /** The version after the highest ever committed, deleted ones included: a number is never handed out twice. */
  private Version nextAfter(String name, RegistrySettings settings) throws IOException {
    return backend.lastVersion(name).map(Version::next).orElseGet(() -> Version.first(settings.versionDigits()));
  }

  @SuppressWarnings("unchecked")
  private static String write(Materializer<?> materializer, Object value, StagedArtifactWriter writer)
      throws IOException {
    Materializer<Object> m = (Materializer<Object>) materializer;
    try {
      m.write(value, writer);
      return m.objectClass(value);
    } catch (RegistryException | IOException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MaterializerException("materializer '" + m.id() + "' failed writing a "
          + value.getClass().getName() + ": " + e, e);
    }
  }

  /** Everything of the manifest but its version and commit time. */
  private final class Template {
    final String name;
    final String uuid;
    final String objectClass;
    final Materializer<?> materializer;
    final List<FileEntry> files;
    final java.util.Map<String, String> params;
    final SaveOptions options;
    final String digest;
    final long size;

    Template(String name, String uuid, String objectClass, Materializer<?> materializer, List<FileEntry> files,
        java.util.Map<String, String> params, SaveOptions options) {
      this.name = name;
      this.uuid = uuid;
      this.objectClass = objectClass;
      this.materializer = materializer;
      this.files = files;
      this.params = params;
      this.options = options;
      this.digest = Manifest.computeDigest(objectClass, materializer.id(), materializer.formatVersion(), params,
          options.metadata(), files);
      this.size = files.stream().mapToLong(FileEntry::size).sum();
    }

    Manifest at(Version version, Clock clock) {
      return new Manifest(Manifest.SCHEMA, name, version, objectClass, materializer.id(),
          materializer.formatVersion(), params, options.metadata(), files, digest, size, uuid, clock.instant(),
          user, options.dependsOn());
    }
  }
}
