package dev.arca.registry.spi;

import dev.arca.registry.FileEntry;
import dev.arca.registry.JanitorReport;
import dev.arca.registry.Manifest;
import dev.arca.registry.Version;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Version-level storage: the commit point, manifests, files, tags and settings of one registry.
 *
 * <p>Object stores implement {@link BlobStore} instead and get this from
 * {@link BackendContext#objectStore(BlobStore)}, which runs the MVCC protocol over them. Stores that have a
 * commit point of their own (an OCI manifest push) implement this directly.
 *
 * <h2>Thread safety</h2>
 * Implementations must be thread-safe. Every conditional method is atomic with its check, or says in
 * {@link #capabilities()} that it is not.
 */
public interface Backend extends Closeable {

  /**
   * The URI scheme, for messages.
   *
   * @return e.g. {@code file}
   */
  String scheme();

  /**
   * What this backend can do.
   *
   * @return its capabilities
   */
  Capabilities capabilities();

  /**
   * Reads the registry settings.
   *
   * @return the settings with their etag, or empty for a new registry
   * @throws IOException on failure
   */
  Optional<Stamped<RegistrySettings>> readSettings() throws IOException;

  /**
   * Creates (when {@code expectedEtag} is null) or compare-and-swaps the settings.
   *
   * @param settings the settings
   * @param expectedEtag null to create, else the etag read before
   * @return true when written; false when they exist (create) or changed (swap)
   * @throws IOException on failure
   */
  boolean writeSettings(RegistrySettings settings, @Nullable String expectedEtag) throws IOException;

  /**
   * Starts a write attempt for a version of {@code name}.
   *
   * @param name a valid name
   * @param gracePeriod the registry's grace period: an attempt that cannot commit well within it (measured on a
   *     monotonic clock, never a wall clock) is refused, since the janitor may then be removing its files
   * @return the attempt; the caller closes it
   * @throws IOException on failure
   */
  StagedVersion stage(String name, Duration gracePeriod) throws IOException;

  /**
   * Reads one version's manifest.
   *
   * @param name a valid name
   * @param version the version
   * @return the manifest with its etag, or empty when the version does not exist
   * @throws IOException on failure, including a stored manifest that cannot be parsed
   */
  Optional<Stamped<Manifest>> readManifest(String name, Version version) throws IOException;

  /**
   * Opens a file of a committed version.
   *
   * @param manifest the version's manifest
   * @param file one of its files
   * @return the bytes, unverified; the caller closes the stream
   * @throws IOException on failure; {@link java.nio.file.NoSuchFileException} when the file is gone
   */
  InputStream openFile(Manifest manifest, FileEntry file) throws IOException;

  /**
   * Lists the names with at least one committed version.
   *
   * @return the names, sorted
   * @throws IOException on failure
   */
  List<String> listNames() throws IOException;

  /**
   * Lists one name's committed versions.
   *
   * @param name a valid name
   * @return the versions, ascending; empty when there are none
   * @throws IOException on failure
   */
  List<Version> listVersions(String name) throws IOException;

  /**
   * Deletes one version if its manifest's etag is still {@code expectedEtag}, atomically with respect to
   * concurrent writers: a compare-and-swap, never a check followed by an unconditional delete, so a delete can
   * never erase a write acknowledged after the caller read the manifest. The version is then neither read nor
   * listed, and auto-increment never hands its number out again (see {@link #lastVersion}). Its files may stay
   * for readers that hold the manifest, until the janitor reclaims them.
   *
   * @param manifest the manifest read before
   * @param expectedEtag its etag
   * @return true when deleted; false when it was gone or changed
   * @throws IOException on failure: the delete may or may not have happened
   */
  boolean deleteVersion(Manifest manifest, String expectedEtag) throws IOException;

  /**
   * The highest version of {@code name} ever committed, deleted ones included: auto-increment continues after it,
   * so no number is handed out twice. The default, the highest listed version, suits backends that do not keep
   * deleted numbers.
   *
   * @param name a valid name
   * @return the highest version, or empty when none was ever committed
   * @throws IOException on failure
   */
  default Optional<Version> lastVersion(String name) throws IOException {
    List<Version> versions = listVersions(name);
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  /**
   * The etag of a deleted version's tombstone: an unversioned registry (one version per name) saves a name again
   * after a delete by replacing it through {@link StagedVersion#commit} with this etag.
   *
   * @param name a valid name
   * @param version the version
   * @return the tombstone's etag; empty when the version is live, never existed, or the backend keeps no
   *     tombstones
   * @throws IOException on failure
   */
  default Optional<String> tombstone(String name, Version version) throws IOException {
    return Optional.empty();
  }

  /**
   * Reads a tag.
   *
   * @param name a valid name
   * @param tag a valid tag
   * @return the tag with its etag, or empty when it does not exist
   * @throws IOException on failure
   */
  Optional<Stamped<TagRecord>> readTag(String name, String tag) throws IOException;

  /**
   * Creates (when {@code expectedEtag} is null) or compare-and-swaps a tag. A removal is a write too: a record
   * without a version (see {@link TagRecord}), so tags are never deleted by a check-then-delete.
   *
   * @param name a valid name
   * @param tag a valid tag
   * @param record the new record
   * @param expectedEtag null to create, else the etag read before
   * @return true when written; false when it exists (create) or changed (swap)
   * @throws IOException on failure
   */
  boolean writeTag(String name, String tag, TagRecord record, @Nullable String expectedEtag) throws IOException;

  /**
   * Lists a name's tags, removed ones included (their records have no version).
   *
   * @param name a valid name
   * @return the tags, sorted
   * @throws IOException on failure
   */
  List<String> listTags(String name) throws IOException;

  /**
   * Finds write attempts no manifest references that are older than the grace period, and removes them when
   * {@code apply} is true. Never touches a committed version, a version overwritten or deleted less than the
   * grace period ago, or a younger attempt (an in-flight write). Ages are judged by the store's own clock where
   * it has one, so no process's clock matters.
   *
   * @param apply false for a dry run
   * @param gracePeriod the registry's grace period
   * @return what was found and removed
   * @throws IOException on failure
   */
  JanitorReport janitor(boolean apply, Duration gracePeriod) throws IOException;
}
