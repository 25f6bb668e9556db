package dev.arca.registry.spi;

import java.time.Clock;

/**
 * What the core hands a {@link BackendProvider}: the registry's clock and grace period, and the MVCC protocol
 * for providers whose storage is a {@link BlobStore}. Implemented by the core; thread-safe.
 */
public interface BackendContext {

  /**
   * Wraps an object store in the core's lock-free MVCC commit protocol. The backend owns the store and closes
   * it.
   *
   * @param store the store
   * @return a backend over it
   */
  Backend objectStore(BlobStore store);

  /**
   * The clock used for commit times and janitor ages.
   *
   * @return the clock
   */
  Clock clock();

  /**
   * Whether the registry was opened read-only: it will never write, so opening must create nothing (no directory,
   * no repository, no bucket) and a location that does not exist is simply found empty.
   *
   * @return true for a read-only registry
   */
  default boolean readOnly() {
    return false;
  }

  /**
   * Serializes a stored document (a {@link dev.arca.registry.Manifest}, {@link RegistrySettings} or
   * {@link TagRecord}) in the format every backend stores, for backends that store documents themselves.
   *
   * @param document the document
   * @return its JSON
   */
  byte[] toJson(Object document);

  /**
   * Parses a stored document written by {@link #toJson(Object)}; polymorphic typing is never enabled.
   *
   * @param json the stored bytes
   * @param type the document's type
   * @param <T> the type
   * @return the document
   * @throws IllegalArgumentException with a one-line reason when the bytes are not a valid document
   */
  <T> T fromJson(byte[] json, Class<T> type);
}
