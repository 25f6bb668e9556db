package dev.arca.backend.gcs;

import com.google.api.gax.paging.Page;
import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;
import dev.arca.registry.BackendException;
import dev.arca.registry.Names;
import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.Endpoints;
import dev.arca.registry.spi.ListPage;
import dev.arca.registry.spi.ResumingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobStore} on a Google Cloud Storage bucket, through google-cloud-storage over its HTTP/JSON
 * transport.
 *
 * <h2>Writes and reads</h2>
 * A write buffers up to one chunk. An object that fits goes up in one multipart request; a larger one in a
 * resumable upload whose chunks stream from the caller, so memory stays near one chunk whatever the object's
 * size. Create-if-absent sends {@code ifGenerationMatch=0}, replace-if-match {@code ifGenerationMatch} with the
 * generation, which is this store's etag; GCS checks them atomically when the object is finalized, and a 412
 * is a failed condition, never an error. The client checks crc32c/md5 of what it sends; the core's sha256
 * checks what comes back. A read pins the generation it found, so it never mixes two generations. An object of
 * up to 256 KiB (a manifest, a tag) arrives whole in the read's first request; when that fails or comes short
 * and the generation has moved meanwhile, the read starts over on the new one, backing off, for as long as the
 * generation keeps moving (up to 30 seconds, then a retryable error), so a document replaced while it is read is
 * never a failure. A larger read resumes on its generation.
 *
 * <h2>Security</h2>
 * Credentials come from Application Default Credentials unless given explicitly; they are never logged and
 * never appear in messages. A plain-HTTP endpoint is refused unless it is on the loopback interface or
 * {@link Builder#allowHttp(boolean)} is set.
 *
 * <p>Thread-safe. Closing releases the client.
 */
public final class GcsBlobStore implements BlobStore {

  /** Bytes read with the first request of a read: small objects (manifests) come whole in one round trip. */
  private static final int FIRST_READ = 256 << 10;
  /** Reopens one read may cost after resets or truncated bodies. */
  private static final int RESUMES = 4;
  /**
   * How long one read keeps starting over while the generation keeps moving. GCS takes about one write a second
   * per object, so a read meets a replace rarely; a document rewritten faster than it can be read for this long
   * is reported as a retryable error.
   */
  private static final long REREAD_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

  private final Storage storage;
  /** The same client without retries: {@link #delete} retries itself, to know whether an attempt went unanswered. */
  private final Storage deletes;
  private final int maxAttempts;
  private final String bucket;
  private final String prefix;
  private final int chunkSize;
  private final GcsFailures failures;

  private GcsBlobStore(Builder b, Storage storage, Storage deletes, GcsFailures failures) {
    this.storage = storage;
    this.deletes = deletes;
    this.maxAttempts = b.maxAttempts;
    this.bucket = b.bucket;
    this.prefix = b.prefix;
    this.chunkSize = b.chunkSize;
    this.failures = failures;
  }

  /**
   * Starts configuring a store.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String scheme() {
    return "gs";
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(true, true, true, Names.MAX_NAME_LENGTH, true);
  }

  @Override
  public BlobOutput create(String key, Condition condition) {
    return new GcsOutput(prefix + BlobStore.requireKey(key), condition);
  }

  @Override
  public Optional<BlobContent> get(String key, long offset, long length) throws IOException {
    String full = prefix + BlobStore.requireKey(key);
    Optional<Blob> found = headFull(full);
    long started = System.nanoTime();
    for (int attempt = 1; found.isPresent(); attempt++) {
      Blob blob = found.get();
      BlobInfo info = info(blob);
      long end = length < 0 ? blob.getSize() : Math.min(blob.getSize(), offset + length);
      if (offset >= end) {
        return Optional.of(new BlobContent(info, InputStream.nullInputStream()));
      }
      BlobId pinned = BlobId.of(bucket, full, blob.getGeneration());
      InputStream first;
      try {
        first = open(pinned, offset, end);
      } catch (IOException | RuntimeException e) {
        found = headFull(full);
        if (found.isPresent() && found.get().getGeneration().equals(blob.getGeneration())) {
          throw failures.failure("GET", full, e);
        }
        if (System.nanoTime() - started > REREAD_NANOS) {
          throw BackendException.replacedWhileRead("gs", full, attempt, e);
        }
        backOff(attempt, e); // so writers back to back cannot outpace every head-then-read
        continue; // replaced or deleted since the head (the client reports that in more than one shape)
      }
      // The generation is pinned, so a reopen after a reset reads the same bytes or fails with 404.
      InputStream stream = new ResumingInputStream(first, end - offset, RESUMES,
          position -> open(pinned, offset + position, end));
      return Optional.of(new BlobContent(info, stream));
    }
    return Optional.empty();
  }

  /** Waits before a read starts over: 1, 2, 4 ms and so on up to 250, jittered. */
  private static void backOff(int attempt, Exception cause) throws java.io.InterruptedIOException {
    long millis = Math.min(250, 1L << Math.min(attempt - 1, 8));
    try {
      Thread.sleep(millis / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      java.io.InterruptedIOException stop = new java.io.InterruptedIOException("interrupted while rereading");
      stop.initCause(cause);
      throw stop;
    }
  }

  /**
   * Opens bytes [from, end) of one generation; the start is read now, so small objects arrive whole. A start that
   * comes short fails here: the client can take a body cut off by a closed connection for the end of the object.
   */
  private InputStream open(BlobId pinned, long from, long end) throws IOException {
    ReadChannel reader = storage.reader(pinned);
    try {
      reader.setChunkSize(chunkSize);
      reader.seek(from);
      reader.limit(end);
      ByteBuffer first = ByteBuffer.allocate((int) Math.min(FIRST_READ, end - from));
      while (first.hasRemaining() && reader.read(first) >= 0) {
        // fills the buffer or reaches the limit
      }
      if (first.hasRemaining()) {
        throw new java.io.EOFException("generation " + pinned.getGeneration() + " of " + pinned.getName()
            + " ended after " + (from + first.position()) + " of " + end + " bytes");
      }
      InputStream rest = first.position() == end - from ? closing(reader) : Channels.newInputStream(reader);
      return new SequenceInputStream(new ByteArrayInputStream(first.array(), 0, first.position()), rest);
    } catch (IOException | RuntimeException e) {
      reader.close();
      if (e instanceof StorageException s) {
        throw new IOException(s.getMessage(), s);
      }
      throw e;
    }
  }

  private static InputStream closing(ReadChannel reader) {
    reader.close();
    return InputStream.nullInputStream();
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    return headFull(prefix + BlobStore.requireKey(key)).map(this::info);
  }

  private Optional<Blob> headFull(String full) {
    try {
      return Optional.ofNullable(storage.get(BlobId.of(bucket, full)));
    } catch (StorageException e) {
      throw failures.failure("GET", full, e);
    }
  }

  @Override
  public ListPage list(String listPrefix, boolean delimited, @Nullable String pageToken) {
    String full = prefix + BlobStore.requirePrefix(listPrefix);
    List<Storage.BlobListOption> options = new ArrayList<>(List.of(Storage.BlobListOption.prefix(full),
        Storage.BlobListOption.pageSize(1000)));
    if (delimited) {
      options.add(Storage.BlobListOption.delimiter("/"));
    }
    if (pageToken != null) {
      options.add(Storage.BlobListOption.pageToken(pageToken));
    }
    Page<Blob> page;
    try {
      page = storage.list(bucket, options.toArray(Storage.BlobListOption[]::new));
    } catch (StorageException e) {
      throw failures.failure("LIST", full, e);
    }
    List<BlobInfo> blobs = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    for (Blob blob : page.getValues()) {
      if (blob.isDirectory()) {
        prefixes.add(blob.getName().substring(prefix.length()));
      } else {
        blobs.add(info(blob));
      }
    }
    String next = page.getNextPageToken();
    return new ListPage(blobs, prefixes, next == null || next.isEmpty() ? null : next);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Retried here, not by the client: a 404 after an attempt that went unanswered (a lost response, a 5xx)
   * means that attempt most likely deleted the object, so it reports true.
   */
  @Override
  public boolean delete(String key, Condition condition) throws IOException {
    String full = prefix + BlobStore.requireKey(key);
    Storage.BlobSourceOption[] options = condition instanceof Condition.IfMatch match
        ? new Storage.BlobSourceOption[] {Storage.BlobSourceOption.generationMatch(generation(match))}
        : new Storage.BlobSourceOption[0];
    boolean unanswered = false;
    for (int attempt = 1; ; attempt++) {
      try {
        return deletes.delete(BlobId.of(bucket, full), options) || unanswered;
      } catch (StorageException e) {
        if (e.getCode() == 412) {
          return false;
        }
        BackendException failure = failures.failure("DELETE", full, e);
        if (!failure.retryable() || attempt >= maxAttempts) {
          throw failure;
        }
        unanswered = true;
        try {
          Thread.sleep(Math.min(5_000, 100L << (attempt - 1))); // the backoff the client's own retries use
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted deleting " + full);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      try {
        storage.close();
      } finally {
        deletes.close();
      }
    } catch (Exception e) {
      throw new IOException("closing the GCS client", e);
    }
  }

  @Override
  public String toString() {
    return "GcsBlobStore{gs://" + bucket + "/" + prefix + "}";
  }

  private BlobInfo info(Blob blob) {
    Instant updated = blob.getUpdateTimeOffsetDateTime() != null ? blob.getUpdateTimeOffsetDateTime().toInstant()
        : Instant.EPOCH;
    return new BlobInfo(blob.getName().substring(prefix.length()), blob.getSize(),
        Long.toString(blob.getGeneration()), updated);
  }

  private static long generation(Condition.IfMatch match) {
    try {
      return Long.parseLong(match.etag());
    } catch (NumberFormatException e) {
      return -1; // not an etag this store handed out: no generation matches it
    }
  }

  /**
   * Buffers one chunk; one multipart request when the object fits, else a streaming resumable upload. The upload
   * goes through {@link Storage#writer}, whose chunk requests the client retries (resuming from what the server
   * acknowledged); a {@code BlobWriteSession} of the JSON API sends each chunk once, so one reset fails the write.
   */
  private final class GcsOutput extends BlobOutput {
    private final String key;
    private final Condition condition;
    private byte[] buffer = new byte[16 << 10];
    private int filled;
    private @Nullable WriteChannel channel;
    private final CRC32C crc32c = new CRC32C();
    private final MessageDigest md5 = md5();
    private long size;
    /** The store refused the condition while the upload streamed (GCS checks it as data arrives): not written. */
    private boolean refused;
    private boolean done;

    GcsOutput(String key, Condition condition) {
      this.key = key;
      this.condition = condition;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (done) {
        throw new IOException("write to " + key + " after commit or close");
      }
      if (channel != null) {
        writeFully(ByteBuffer.wrap(b, off, len));
        return;
      }
      if (filled + len <= chunkSize) {
        if (filled + len > buffer.length) {
          buffer = Arrays.copyOf(buffer, Math.min(chunkSize, Math.max(filled + len, buffer.length * 2)));
        }
        System.arraycopy(b, off, buffer, filled, len);
        filled += len;
        return;
      }
      // Larger than one chunk: switch to a resumable upload that streams from here on.
      try {
        channel = storage.writer(target(), writeOptions());
        channel.setChunkSize(chunkSize);
      } catch (StorageException e) {
        refuseOrThrow(e);
      }
      writeFully(ByteBuffer.wrap(buffer, 0, filled));
      buffer = new byte[0];
      filled = 0;
      writeFully(ByteBuffer.wrap(b, off, len));
    }

    private void writeFully(ByteBuffer bytes) {
      crc32c.update(bytes.duplicate());
      md5.update(bytes.duplicate());
      size += bytes.remaining();
      if (refused) {
        return; // the rest is dropped: commit reports the failed condition
      }
      try {
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      } catch (IOException | StorageException e) {
        refuseOrThrow(e);
      }
    }

    /** A 412 while streaming is the condition failing (nothing was written); anything else is a failure. */
    private void refuseOrThrow(Exception e) {
      if (GcsFailures.status(e) != 412) {
        throw failures.failure("PUT", key, e);
      }
      refused = true;
    }

    @Override
    public Optional<String> commit() throws IOException {
      if (done) {
        throw new IllegalStateException("already committed or closed");
      }
      done = true;
      try {
        if (refused) {
          return Optional.empty();
        }
        if (channel == null) {
          try {
            Blob blob = storage.create(target(), buffer, 0, filled, targetOptions());
            return Optional.of(Long.toString(blob.getGeneration()));
          } catch (StorageException e) {
            if (GcsFailures.status(e) == 412) {
              return ownWrite();
            }
            throw e;
          }
        }
        channel.close();
        return Optional.of(uploaded());
      } catch (IOException | StorageException e) {
        return conditionFailed(e);
      } finally {
        buffer = new byte[0];
      }
    }

    /**
     * The generation of the upload just finalized. The writer does not return the object, so it is read back and
     * recognized by size and CRC32C: a different object means another write replaced ours meanwhile, and ours
     * landed under a generation no longer known (unknown, so an error, never "not written"). Recognized by size,
     * CRC32C and MD5, so another writer's different bytes are never taken for ours.
     */
    private String uploaded() {
      Optional<Blob> now;
      try {
        now = headFull(key);
      } catch (BackendException e) {
        throw new BackendException(scheme(), key, "uploaded, then reading back its generation failed: whether this"
            + " write is still the current one is unknown", e, true);
      }
      java.util.Base64.Encoder base64 = java.util.Base64.getEncoder();
      String crc = base64.encodeToString(ByteBuffer.allocate(4).putInt((int) crc32c.getValue()).array());
      if (now.isPresent() && now.get().getSize() != null && now.get().getSize() == size
          && crc.equals(now.get().getCrc32c()) && base64.encodeToString(md5.digest()).equals(now.get().getMd5())) {
        return Long.toString(now.get().getGeneration());
      }
      throw new BackendException(scheme(), key, "uploaded, then replaced by another write before its generation"
          + " was read back: whether this write is still the current one is unknown", null, true);
    }

    /**
     * After a 412: whether the object now holds exactly these bytes, which happens when the write succeeded but
     * its response was lost and the client's retry met its own write (identical bytes from another writer count
     * too: the stored state is the one asked for).
     */
    private Optional<String> ownWrite() {
      Optional<Blob> now = headFull(key);
      if (now.isEmpty() || now.get().getMd5() == null) {
        return Optional.empty();
      }
      MessageDigest digest = md5();
      digest.update(buffer, 0, filled);
      String ours = java.util.Base64.getEncoder().encodeToString(digest.digest());
      return ours.equals(now.get().getMd5()) ? Optional.of(Long.toString(now.get().getGeneration()))
          : Optional.empty();
    }

    private Optional<String> conditionFailed(Throwable e) {
      if (GcsFailures.status(e) == 412) {
        return Optional.empty();
      }
      throw failures.failure("PUT", key, e);
    }

    private com.google.cloud.storage.BlobInfo target() {
      return com.google.cloud.storage.BlobInfo.newBuilder(BlobId.of(bucket, key))
          .setContentType("application/octet-stream").build();
    }

    private Storage.BlobTargetOption[] targetOptions() {
      Storage.BlobTargetOption noGzip = Storage.BlobTargetOption.disableGzipContent();
      if (condition instanceof Condition.IfAbsent) {
        return new Storage.BlobTargetOption[] {noGzip, Storage.BlobTargetOption.doesNotExist()};
      }
      if (condition instanceof Condition.IfMatch match) {
        return new Storage.BlobTargetOption[] {noGzip, Storage.BlobTargetOption.generationMatch(generation(match))};
      }
      return new Storage.BlobTargetOption[] {noGzip};
    }

    private Storage.BlobWriteOption[] writeOptions() {
      Storage.BlobWriteOption noGzip = Storage.BlobWriteOption.disableGzipContent();
      if (condition instanceof Condition.IfAbsent) {
        return new Storage.BlobWriteOption[] {noGzip, Storage.BlobWriteOption.doesNotExist()};
      }
      if (condition instanceof Condition.IfMatch match) {
        return new Storage.BlobWriteOption[] {noGzip, Storage.BlobWriteOption.generationMatch(generation(match))};
      }
      return new Storage.BlobWriteOption[] {noGzip};
    }

    @Override
    public void close() {
      done = true;
      buffer = new byte[0];
      // An unfinished resumable session is never finalized, so nothing becomes visible; GCS expires it in a week.
      channel = null;
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no MD5", e);
    }
  }

  /** Configures a {@link GcsBlobStore}. Name at least the bucket. Not thread-safe. */
  public static final class Builder {
    private @Nullable String bucket;
    private String prefix = "";
    private @Nullable URI endpoint;
    private boolean allowHttp;
    private @Nullable Credentials credentials;
    private @Nullable Path credentialsFile;
    private @Nullable String projectId;
    private int chunkSize = 8 << 20;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofMinutes(5);
    private int maxAttempts = 4;

    private Builder() {}

    /**
     * The bucket.
     *
     * @param name an existing bucket
     * @return this builder
     */
    public Builder bucket(String name) {
      this.bucket = name;
      return this;
    }

    /**
     * An object-name prefix inside the bucket, so several registries can share one bucket.
     *
     * @param value e.g. {@code teams/vision}; slashes at either end are ignored
     * @return this builder
     */
    public Builder prefix(String value) {
      this.prefix = BlobStore.rootPrefix(value);
      return this;
    }

    /**
     * A custom endpoint, for a GCS-compatible server or a private endpoint (default: Google's).
     *
     * @param value e.g. {@code https://storage.internal:4443}
     * @return this builder
     */
    public Builder endpoint(URI value) {
      this.endpoint = value;
      return this;
    }

    /**
     * Allows a plain-HTTP endpoint that is not on the loopback interface.
     *
     * @param value whether to allow it
     * @return this builder
     */
    public Builder allowHttp(boolean value) {
      this.allowHttp = value;
      return this;
    }

    /**
     * Explicit credentials instead of Application Default Credentials; {@link NoCredentials#getInstance()} for
     * anonymous access.
     *
     * @param value the credentials, never logged
     * @return this builder
     */
    public Builder credentials(Credentials value) {
      this.credentials = value;
      return this;
    }

    /**
     * A service-account key file instead of Application Default Credentials.
     *
     * @param file the JSON key file
     * @return this builder
     */
    public Builder credentialsFile(Path file) {
      this.credentialsFile = file;
      return this;
    }

    /**
     * The project, when the credentials do not name one.
     *
     * @param value the project id
     * @return this builder
     */
    public Builder projectId(String value) {
      this.projectId = value;
      return this;
    }

    /**
     * The largest object sent in one request, and the chunk of a resumable upload (default 8 MiB; a multiple
     * of 256 KiB, as GCS requires).
     *
     * @param bytes the chunk size
     * @return this builder
     */
    public Builder chunkSize(int bytes) {
      if (bytes < (256 << 10) || bytes % (256 << 10) != 0) {
        throw new IllegalArgumentException("chunkSize must be a positive multiple of 256 KiB, got " + bytes);
      }
      this.chunkSize = bytes;
      return this;
    }

    /**
     * How long to wait for a connection and for each response (default 10 s).
     *
     * @param value the timeout
     * @return this builder
     */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    /**
     * The longest one operation may take, retries included (default 5 min).
     *
     * @param value the timeout
     * @return this builder
     */
    public Builder requestTimeout(Duration value) {
      this.requestTimeout = value;
      return this;
    }

    /**
     * Attempts per request, the first included (default 4). 5xx, 429 and network errors are retried with
     * backoff; other 4xx are not.
     *
     * @param value at least 1
     * @return this builder
     */
    public Builder maxAttempts(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    /**
     * Connects and checks the bucket is there and usable.
     *
     * @return the store; the caller closes it
     * @throws BackendException when the bucket is missing, the credentials are refused or the endpoint is
     *     unreachable, with a message saying which
     */
    public GcsBlobStore build() {
      if (bucket == null || bucket.isBlank()) {
        throw new IllegalArgumentException("name the bucket: GcsBlobStore.builder().bucket(\"my-bucket\")");
      }
      if (endpoint != null) {
        Endpoints.requireSecure("GCS endpoint", endpoint, allowHttp);
      }
      GcsFailures failures = new GcsFailures(bucket, endpoint);
      RetrySettings retries = RetrySettings.newBuilder()
          .setMaxAttempts(maxAttempts)
          .setTotalTimeoutDuration(requestTimeout)
          .setInitialRetryDelayDuration(Duration.ofMillis(100))
          .setRetryDelayMultiplier(2)
          .setMaxRetryDelayDuration(Duration.ofSeconds(5))
          .setInitialRpcTimeoutDuration(requestTimeout)
          .setMaxRpcTimeoutDuration(requestTimeout)
          .setRpcTimeoutMultiplier(1)
          .build();
      StorageOptions.Builder options = StorageOptions.http()
          .setCredentials(resolveCredentials(failures))
          .setTransportOptions(HttpTransportOptions.newBuilder()
              .setConnectTimeout(millis(connectTimeout)).setReadTimeout(millis(connectTimeout)).build())
          .setRetrySettings(retries)
          // Every call is safe to repeat here: writes are conditional or to fresh keys, and a repeated write that
          // meets its own earlier success is recognized (412 with our bytes); deletes retry themselves (see delete).
          .setStorageRetryStrategy(StorageRetryStrategy.getUniformStorageRetryStrategy());
      if (endpoint != null) {
        options.setHost(endpoint.toString().replaceAll("/+$", ""));
      }
      if (projectId != null) {
        options.setProjectId(projectId);
      } else if (endpoint != null) {
        options.setProjectId("arca"); // a custom endpoint needs none, but the client insists on one
      }
      Storage storage = options.build().getService();
      try {
        if (storage.get(bucket) == null) {
          throw failures.missingBucket(null);
        }
      } catch (StorageException e) {
        closeQuietly(storage);
        throw failures.failure("GET bucket", null, e);
      } catch (RuntimeException e) {
        closeQuietly(storage);
        throw e;
      }
      Storage deletes = options.setRetrySettings(retries.toBuilder().setMaxAttempts(1).build()).build().getService();
      return new GcsBlobStore(this, storage, deletes, failures);
    }

    private Credentials resolveCredentials(GcsFailures failures) {
      if (credentials != null) {
        return credentials;
      }
      try {
        if (credentialsFile != null) {
          try (InputStream in = Files.newInputStream(credentialsFile)) {
            return GoogleCredentials.fromStream(in)
                .createScoped("https://www.googleapis.com/auth/devstorage.read_write");
          }
        }
        return GoogleCredentials.getApplicationDefault()
            .createScoped("https://www.googleapis.com/auth/devstorage.read_write");
      } catch (IOException e) {
        throw failures.credentials(credentialsFile, e);
      }
    }

    private static int millis(Duration d) {
      return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    private static void closeQuietly(Storage storage) {
      try {
        storage.close();
      } catch (Exception ignored) {
        // the failed check is the error worth reporting
      }
    }
  }
}
