package dev.arca.registry.spi;

/**
 * The precondition of a {@link BlobStore} write or delete. The store checks it atomically with the write:
 * of any number of racing writers with the same condition, at most one succeeds.
 */
public sealed interface Condition {

  /** Write unconditionally. */
  Condition NONE = new None();

  /** Write only if the key does not exist (S3 {@code If-None-Match: *}, GCS {@code ifGenerationMatch=0}). */
  Condition IF_ABSENT = new IfAbsent();

  /**
   * Write only if the key exists with this etag (S3 {@code If-Match}, GCS {@code ifGenerationMatch}).
   *
   * @param etag the etag read before
   * @return the condition
   */
  static Condition ifMatch(String etag) {
    return new IfMatch(etag);
  }

  /** See {@link #NONE}. */
  record None() implements Condition {}

  /** See {@link #IF_ABSENT}. */
  record IfAbsent() implements Condition {}

  /**
   * See {@link #ifMatch(String)}.
   *
   * @param etag the expected etag
   */
  record IfMatch(String etag) implements Condition {}
}
