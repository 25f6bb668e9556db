package dev.arca.registry.spi;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A key/value object store with conditional writes: the one SPI that the local filesystem, S3 and GCS
 * implement. The core's MVCC commit protocol runs over it, so an implementation holds no versioning logic.
 *
 * <h2>Keys</h2>
 * A key is 1 to 1024 characters: segments of {@code [A-Za-z0-9._%-]} separated by single {@code /}, none of
 * them {@code .} or {@code ..}, no leading or trailing {@code /} (see {@link #requireKey(String)}). The core
 * only produces such keys, so an implementation may map them to paths without fear of escaping its root.
 *
 * <h2>Thread safety</h2>
 * Implementations must be thread-safe, and conditional writes must be atomic with their check even across
 * processes and hosts sharing the store (see {@link Capabilities}).
 *
 * <h2>Closing</h2>
 * Streams handed out ({@link BlobContent}, {@link BlobOutput}) must be closed by the caller. {@link #close()}
 * releases the store's own clients and threads.
 */
public interface BlobStore extends Closeable {

  /** Segments of [A-Za-z0-9._%-], not '.' or '..', separated by single '/'. */
  Pattern KEY = Pattern.compile("(?!\\.\\.?(/|$))[A-Za-z0-9._%-]+(/(?!\\.\\.?(/|$))[A-Za-z0-9._%-]+)*");

  /**
   * The URI scheme this store serves, used in error messages ({@code file}, {@code s3}, {@code mem}).
   *
   * @return the scheme
   */
  String scheme();

  /**
   * What this store can do.
   *
   * @return its capabilities
   */
  Capabilities capabilities();

  /**
   * Starts a write. Nothing is visible until {@link BlobOutput#commit()}.
   *
   * @param key a valid key
   * @param condition the precondition checked atomically at commit
   * @return the open write; the caller closes it
   * @throws IOException when the write cannot start
   */
  BlobOutput create(String key, Condition condition) throws IOException;

  /**
   * Writes a small object in one call.
   *
   * @param key a valid key
   * @param bytes the content
   * @param condition the precondition
   * @return the new etag, or empty when the condition did not hold
   * @throws IOException on failure
   */
  default Optional<String> put(String key, byte[] bytes, Condition condition) throws IOException {
    try (BlobOutput out = create(key, condition)) {
      out.write(bytes);
      return out.commit();
    }
  }

  /**
   * Opens a read of a range of an object.
   *
   * @param key a valid key
   * @param offset first byte to read
   * @param length bytes to read, or -1 for the rest of the object
   * @return the open read, or empty when the key does not exist; the caller closes it
   * @throws IOException on failure
   */
  Optional<BlobContent> get(String key, long offset, long length) throws IOException;

  /**
   * Opens a read of a whole object.
   *
   * @param key a valid key
   * @return the open read, or empty when the key does not exist; the caller closes it
   * @throws IOException on failure
   */
  default Optional<BlobContent> get(String key) throws IOException {
    return get(key, 0, -1);
  }

  /**
   * Reads an object's info without its content.
   *
   * @param key a valid key
   * @return the info, or empty when the key does not exist
   * @throws IOException on failure
   */
  Optional<BlobInfo> head(String key) throws IOException;

  /**
   * Lists one page of the objects under a prefix.
   *
   * @param prefix empty, or a key prefix ending with {@code /}
   * @param delimited true to list one level (objects directly under the prefix, and sub-prefixes), false to
   *     list every object below it
   * @param pageToken null for the first page, else the previous page's {@link ListPage#nextPageToken()}
   * @return the page
   * @throws IOException on failure
   */
  ListPage list(String prefix, boolean delimited, @Nullable String pageToken) throws IOException;

  /**
   * Lists every page under a prefix and returns them merged.
   *
   * @param prefix empty, or a key prefix ending with {@code /}
   * @param delimited see {@link #list}
   * @return all objects and sub-prefixes, in key order
   * @throws IOException on failure
   */
  default ListPage listAll(String prefix, boolean delimited) throws IOException {
    List<BlobInfo> blobs = new ArrayList<>();
    java.util.Set<String> prefixes = new java.util.LinkedHashSet<>(); // a prefix may span pages
    String token = null;
    do {
      ListPage page = list(prefix, delimited, token);
      blobs.addAll(page.blobs());
      prefixes.addAll(page.prefixes());
      token = page.nextPageToken();
    } while (token != null);
    return new ListPage(blobs, new ArrayList<>(prefixes), null);
  }

  /**
   * The store's current time on the clock that stamps {@link BlobInfo#lastModified()}, when the store can tell it
   * without a write. The janitor judges every age by the store's clock, never a process's: without this it stamps
   * a small object of its own and reads the time back.
   *
   * @return the time, or empty when only a write can tell it (the default)
   * @throws IOException on failure
   */
  default Optional<java.time.Instant> now() throws IOException {
    return Optional.empty();
  }

  /**
   * Deletes an object if the condition holds.
   *
   * <p>The result is what the store could learn, and may be a "maybe": when an attempt went unanswered (a lost
   * response) and its retry finds the key gone, that attempt most likely deleted it and the result is true, though
   * another deleter may have removed it first. A successful delete is never reported as false or as an error.
   * After a lost response a conditional delete may also report false when another writer replaced the object
   * meanwhile. Callers treat true as "it is gone, maybe by us" and false as "nothing was deleted by this call".
   *
   * @param key a valid key
   * @param condition {@link Condition#NONE} or {@link Condition#ifMatch(String)}
   * @return true when the object is gone and this call deleted it or may have; false when it did not exist or the
   *     condition did not hold
   * @throws IOException on failure
   */
  boolean delete(String key, Condition condition) throws IOException;

  /**
   * Removes what writers that died mid-write left in the store's own bookkeeping (a local store's temp files),
   * never an object. The janitor calls it on an applied run only: a dry run, and every other operation, leave
   * such files in place (listings hide them). The default does nothing, for stores whose unfinished writes
   * never leave anything behind.
   *
   * @throws IOException when the store cannot be read
   */
  default void removeAbandonedWrites() throws IOException {}

  /**
   * Checks a key against the grammar above.
   *
   * @param key the candidate
   * @return the key
   * @throws IllegalArgumentException when it is not a valid key
   */
  static String requireKey(String key) {
    if (key.length() > 1024 || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("invalid blob key '" + key + "': segments of [A-Za-z0-9._%-],"
          + " not '.' or '..', separated by '/', at most 1024 characters");
    }
    return key;
  }

  /**
   * Turns a user's root prefix for a store inside a shared bucket into a list prefix: slashes at either end are
   * ignored, the rest must be a valid key.
   *
   * @param value e.g. {@code teams/vision} or {@code /teams/vision/}
   * @return empty, or the key followed by {@code /}
   * @throws IllegalArgumentException when it is not a valid key
   */
  static String rootPrefix(String value) {
    String p = value.replaceAll("^/+|/+$", "");
    return p.isEmpty() ? "" : requireKey(p) + "/";
  }

  /**
   * Checks a list prefix: empty, or a valid key followed by {@code /}.
   *
   * @param prefix the candidate
   * @return the prefix
   * @throws IllegalArgumentException when it is not a valid prefix
   */
  static String requirePrefix(String prefix) {
    if (!prefix.isEmpty()) {
      if (!prefix.endsWith("/")) {
        throw new IllegalArgumentException("list prefix '" + prefix + "' must be empty or end with '/'");
      }
      requireKey(prefix.substring(0, prefix.length() - 1));
    }
    return prefix;
  }
}
