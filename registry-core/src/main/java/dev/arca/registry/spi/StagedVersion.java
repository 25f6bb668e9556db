package dev.arca.registry.spi;

import dev.arca.registry.Manifest;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One write attempt of a version: files go into a fresh, private location (the uuid folder), invisible to
 * readers until {@link #commit} makes the manifest point at them.
 *
 * <h2>Lifecycle</h2>
 * Write every file with {@link #create(String)}, closing each stream to store it; then {@link #commit} once
 * or more (a lost auto-increment race retries with the next version, reusing the files). {@link #close()}
 * without a successful commit removes the files best-effort; what it cannot remove the janitor reclaims. Not
 * thread-safe: one writer thread at a time.
 */
public interface StagedVersion extends Closeable {

  /**
   * The unique id of this attempt; manifests record it.
   *
   * @return the uuid
   */
  String uuid();

  /**
   * Opens one file for writing. Closing the stream stores the file.
   *
   * @param path a path valid per {@link dev.arca.registry.Names#requirePath(String)}, not written before
   * @return the stream; the caller closes it
   * @throws IOException on failure
   */
  OutputStream create(String path) throws IOException;

  /**
   * Commits the manifest, atomically: creates it when {@code expectedEtag} is null and no manifest exists for
   * its (name, version); replaces the manifest whose etag is {@code expectedEtag} otherwise.
   *
   * @param manifest the manifest, whose uuid is {@link #uuid()}
   * @param expectedEtag null to create, or the etag of the manifest to replace
   * @return the committed manifest's etag, or empty when the version exists (create) or changed (replace)
   * @throws IOException on failure
   */
  Optional<String> commit(Manifest manifest, @Nullable String expectedEtag) throws IOException;

  /** Removes the files unless committed. */
  @Override
  void close() throws IOException;
}
