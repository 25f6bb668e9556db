package dev.arca.backend.s3;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import java.io.Closeable;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The S3 calls {@link S3BlobStore} makes, one implementation per client library. Keys are full object keys
 * (prefix included). Failures are {@link dev.arca.registry.BackendException}s with clear messages; a failed
 * precondition (412) is an empty result, never an error. A 409 {@code ConditionalRequestConflict} (a conditional
 * write racing another on the same key, not applied) is retried with backoff like a throttled request, then
 * surfaces as a retryable error, never as a failed precondition.
 * Implementations are thread-safe.
 */
interface S3Transport extends Closeable {

  /**
   * The etag in the one form the store hands out, without the quotes HTTP puts around it (clients disagree on
   * keeping them). {@code If-Match} sends this unquoted form too: Ceph's RADOS Gateway matches only that one (the
   * quoted form always fails there), and MinIO and S3Proxy accept it. AWS S3 documents the quoted form; whether
   * it accepts the unquoted one for conditional PUTs is not tested here (no AWS account): the probe refuses a
   * store where it fails.
   */
  static String etag(@Nullable String raw) {
    if (raw == null) {
      return ""; // S3Proxy lists an object still being written without one; listings never need it
    }
    return raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"") ? raw.substring(1, raw.length() - 1) : raw;
  }

  /** Checks the bucket exists and the credentials may use it. */
  void checkBucket();

  /** One PUT of {@code length} bytes; the new etag, or empty when {@code condition} failed. */
  Optional<String> put(String key, byte[] data, int length, Condition condition);

  /** Starts a multipart upload; its upload id. */
  String startMultipart(String key);

  /** Uploads one part (number from 1); its etag. */
  String uploadPart(String key, String uploadId, int partNumber, byte[] data, int length);

  /**
   * Completes a multipart upload, unconditionally: servers may ignore conditions here (Ceph's RADOS Gateway
   * ignores both), so conditional writes never go up in parts.
   *
   * @return the etag the server answered, which may be empty (the RADOS Gateway sends an empty {@code <ETag>})
   */
  String completeMultipart(String key, String uploadId, List<String> partEtags);

  /** Abandons a multipart upload, best-effort. */
  void abortMultipart(String key, String uploadId);

  /** A ranged read ({@code length} -1 for the rest), or empty when the key does not exist. */
  Optional<BlobContent> get(String key, long offset, long length);

  /** An object's info, or empty when it does not exist. */
  Optional<BlobInfo> head(String key);

  /** One page of at most 1000 keys under {@code prefix}; keys as stored (prefix included). */
  ListPage list(String prefix, boolean delimited, @Nullable String pageToken);

  /** Deletes a key unconditionally (S3 does not say whether it existed). */
  void delete(String key);
}
