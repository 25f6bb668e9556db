package dev.arca.backend.s3;

import dev.arca.registry.BackendException;
import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import dev.arca.registry.spi.ResumingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.NoSuchFileException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobStore} on an S3 bucket (AWS S3, MinIO, or any S3-compatible store), through the AWS SDK v2 or
 * the MinIO Java client.
 *
 * <h2>Writes</h2>
 * A write buffers up to one part. An object that fits is sent in one PUT; a larger one goes up as a multipart
 * upload whose parts are sent in parallel from a pool of {@code parallelism + 1} reused part buffers, so memory
 * stays below {@code partSize x (parallelism + 1)} whatever the object's size.
 *
 * <h2>Conditional writes</h2>
 * Create-if-absent sends {@code If-None-Match: *} and replace-if-match {@code If-Match} (the unquoted etag), always
 * on one PUT, whatever the size (up to 2 GiB, buffered whole): servers may ignore conditions on the completion of
 * a multipart upload (Ceph's RADOS Gateway ignores both), and the conditional-write probe checks single PUTs only.
 * A 412 is a failed condition, never an error. A 500 or a 409 {@code ConditionalRequestConflict} for a write
 * racing another (RADOS Gateway answers a lost {@code If-Match} race with a 500 and does not apply it) is retried;
 * a retry meeting the winner's write then fails its condition.
 *
 * <h2>Security</h2>
 * Credentials come from the builder or the standard AWS provider chain; they are never logged and never appear
 * in {@link #toString()} or in error messages. A plain-HTTP endpoint is refused unless it is on the loopback
 * interface or {@link Builder#allowHttp(boolean)} is set.
 *
 * <p>Thread-safe. Closing releases the client's connections and the upload threads.
 */
public final class S3BlobStore implements BlobStore {

  /** The client library behind the store. */
  public enum Transport {
    /** AWS SDK for Java v2 with the Apache HTTP client. The default. */
    AWS,
    /** The MinIO Java client (OkHttp). */
    MINIO
  }

  /** Reopens one read may cost after resets or truncated bodies. */
  private static final int RESUMES = 4;
  /** Reads up to this size (manifests, tags, settings) arrive whole inside {@link #get}. */
  private static final int WHOLE_READ = 256 << 10;
  /** Times a whole read may start over after a failed body before it gives up. */
  private static final int REREADS = 5;

  /** Smallest part S3 accepts (except the last one). */
  public static final int MIN_PART_SIZE = 5 << 20;
  private static final int MAX_PARTS = 10_000;
  /** The largest conditional write: one PUT from one array. */
  private static final int MAX_SINGLE_PUT = Integer.MAX_VALUE - 8;
  private static final int INITIAL_BUFFER = 16 << 10;

  private final S3Transport transport;
  private final String bucket;
  private final String prefix;
  private final int partSize;
  private final int parallelism;
  private final ExecutorService uploads;
  private final String description;

  private S3BlobStore(Builder b, S3Transport transport) {
    this.transport = transport;
    this.bucket = b.bucket;
    this.prefix = b.prefix;
    this.partSize = b.partSize;
    this.parallelism = b.parallelism;
    AtomicInteger threads = new AtomicInteger();
    this.uploads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "arca-s3-upload-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.description = "S3BlobStore{s3://" + bucket + "/" + prefix + ", " + b.transport.name().toLowerCase(Locale.ROOT)
        + (b.endpoint != null ? ", " + b.endpoint : "") + "}";
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
    return "s3";
  }

  @Override
  public Capabilities capabilities() {
    // Conditional delete (If-Match on DeleteObject) is not offered by every S3-compatible server.
    return new Capabilities(true, true, false, dev.arca.registry.Names.MAX_NAME_LENGTH, true);
  }

  @Override
  public BlobOutput create(String key, Condition condition) {
    return new S3Output(prefix + BlobStore.requireKey(key), condition);
  }

  /**
   * {@inheritDoc}
   *
   * <p>One GET answers with one object version's body and etag. A small read (up to 256 KiB: a manifest, a tag)
   * is read whole here, and a body that fails is read again from scratch, whatever version is current then, so a
   * document replaced while it is read is never a failure. A larger read resumes at the byte it stopped at, from
   * the same object (etag) only.
   */
  @Override
  public Optional<BlobContent> get(String key, long offset, long length) {
    String full = prefix + BlobStore.requireKey(key);
    for (int attempt = 1; ; attempt++) {
      Optional<BlobContent> found = transport.get(full, offset, length);
      if (found.isEmpty()) {
        return found;
      }
      BlobContent c = found.get();
      long size = c.info().size();
      long expected = Math.max(0, length < 0 ? size - offset : Math.min(length, size - offset));
      if (size < 0 || expected > WHOLE_READ) {
        return Optional.of(new BlobContent(relative(c.info()), resuming(full, offset, expected, c)));
      }
      try (c) {
        byte[] body = c.stream().readNBytes((int) expected);
        if (body.length < expected) {
          throw new java.io.EOFException(full + " ended after " + body.length + " of " + expected + " bytes");
        }
        return Optional.of(new BlobContent(relative(c.info()), new java.io.ByteArrayInputStream(body)));
      } catch (IOException e) {
        if (attempt == REREADS) {
          throw new BackendException("s3", full, "the body of a GET failed " + attempt + " times in a row ("
              + e.getMessage() + "): check the network, then try again", e, true);
        }
      }
    }
  }

  private InputStream resuming(String full, long offset, long expected, BlobContent c) {
    String etag = c.info().etag();
    return new ResumingInputStream(c.stream(), expected, RESUMES, position -> {
      BlobContent rest = transport.get(full, offset + position, expected - position)
          .orElseThrow(() -> new NoSuchFileException(full + " was deleted while it was read"));
      if (!rest.info().etag().equals(etag)) {
        rest.close();
        throw new IOException(full + " was replaced while it was read");
      }
      return rest.stream();
    });
  }

  @Override
  public Optional<BlobInfo> head(String key) {
    return transport.head(prefix + BlobStore.requireKey(key)).map(this::relative);
  }

  @Override
  public ListPage list(String listPrefix, boolean delimited, @Nullable String pageToken) {
    ListPage page = transport.list(prefix + BlobStore.requirePrefix(listPrefix), delimited, pageToken);
    List<BlobInfo> blobs = new ArrayList<>(page.blobs().size());
    for (BlobInfo b : page.blobs()) {
      blobs.add(relative(b));
    }
    List<String> prefixes = new ArrayList<>(page.prefixes().size());
    for (String p : page.prefixes()) {
      prefixes.add(p.substring(prefix.length()));
    }
    return new ListPage(blobs, prefixes, page.nextPageToken());
  }

  @Override
  public boolean delete(String key, Condition condition) {
    String full = prefix + BlobStore.requireKey(key);
    Optional<BlobInfo> current = transport.head(full);
    if (current.isEmpty()) {
      return false;
    }
    if (condition instanceof Condition.IfMatch match && !current.get().etag().equals(match.etag())) {
      return false;
    }
    transport.delete(full);
    return true;
  }

  @Override
  public void close() throws IOException {
    uploads.shutdownNow();
    transport.close();
  }

  @Override
  public String toString() {
    return description;
  }

  private BlobInfo relative(BlobInfo info) {
    return new BlobInfo(info.key().substring(prefix.length()), info.size(), info.etag(), info.lastModified());
  }

  /** Buffers one part at a time; one PUT when it fits, else a parallel multipart upload. Not thread-safe. */
  private final class S3Output extends BlobOutput {
    private final String key;
    private final Condition condition;
    /** Bytes buffered before a part goes up; a conditional write is never cut into parts. */
    private final int limit;
    private final Semaphore inFlight = new Semaphore(parallelism);
    /** Part buffers back from upload; at most parallelism + 1 exist, reused so large uploads make no garbage. */
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(parallelism + 1);
    private int allocated = 1;
    private final List<Future<String>> parts = new ArrayList<>();
    private byte[] buffer = new byte[INITIAL_BUFFER];
    private int filled;
    private @Nullable String uploadId;
    private boolean done;

    S3Output(String key, Condition condition) {
      this.key = key;
      this.condition = condition;
      this.limit = condition == Condition.NONE ? partSize : MAX_SINGLE_PUT;
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
      while (len > 0) {
        if (filled == limit) {
          if (condition != Condition.NONE) {
            throw new IOException(key + ": a conditional write goes up in one PUT, at most " + limit + " bytes");
          }
          sendPart();
        }
        if (filled == buffer.length) {
          buffer = Arrays.copyOf(buffer, (int) Math.min(limit, buffer.length * 2L));
        }
        int n = Math.min(len, buffer.length - filled);
        System.arraycopy(b, off, buffer, filled, n);
        filled += n;
        off += n;
        len -= n;
      }
    }

    /** Hands the full buffer to an upload thread, waiting while {@code parallelism} parts are in flight. */
    private void sendPart() throws IOException {
      if (uploadId == null) {
        uploadId = transport.startMultipart(key);
      }
      int number = parts.size() + 1;
      if (number > MAX_PARTS) {
        throw new IOException(key + " exceeds " + MAX_PARTS + " parts of " + partSize + " bytes: raise partSize");
      }
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted uploading " + key);
      }
      byte[] part = buffer;
      int length = filled;
      String id = uploadId;
      parts.add(uploads.submit(() -> {
        try {
          return transport.uploadPart(key, id, number, part, length);
        } finally {
          spare.offer(part);
          inFlight.release();
        }
      }));
      buffer = nextBuffer();
      filled = 0;
    }

    private byte[] nextBuffer() throws InterruptedIOException {
      byte[] reused = spare.poll();
      if (reused != null) {
        return reused;
      }
      if (allocated <= parallelism) {
        allocated++;
        return new byte[partSize];
      }
      try {
        return spare.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted uploading " + key);
      }
    }

    @Override
    public Optional<String> commit() throws IOException {
      if (done) {
        throw new IllegalStateException("already committed or closed");
      }
      done = true;
      if (uploadId == null) {
        Optional<String> etag = transport.put(key, buffer, filled, condition);
        return etag.isPresent() || condition == Condition.NONE ? etag : ownWrite(key, buffer, filled);
      }
      try {
        if (filled > 0) {
          sendPart();
        }
        List<String> etags = new ArrayList<>(parts.size());
        for (Future<String> part : parts) {
          etags.add(part.get());
        }
        String etag = transport.completeMultipart(key, uploadId, etags);
        uploadId = null;
        if (etag.isEmpty()) {
          // RADOS Gateway answers an empty <ETag>. Unconditional writes are files under a fresh attempt's key,
          // written once, so the object there is this upload's.
          etag = transport.head(key).map(BlobInfo::etag).orElseThrow(() -> new IOException(key
              + " is missing right after its multipart upload completed"));
        }
        return Optional.of(etag);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted uploading " + key);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IOException("part upload of " + key + " failed", e.getCause());
      } finally {
        abandon();
      }
    }

    @Override
    public void close() {
      done = true;
      abandon();
    }

    private void abandon() {
      buffer = new byte[0];
      if (uploadId != null) {
        parts.forEach(p -> p.cancel(true));
        try {
          transport.abortMultipart(key, uploadId);
        } catch (RuntimeException leftForTheBucketLifecycle) {
          // an incomplete upload that cannot be aborted now is reclaimed by the bucket's lifecycle rules
        }
        uploadId = null;
      }
    }
  }

  /**
   * After a conditional PUT answered 412: whether the object now holds exactly these bytes, which happens when the
   * write itself succeeded but its response was lost and the client's retry met its own write. S3's etag of a
   * single PUT is the MD5 of the body. Identical bytes from another writer count too: the stored state is the one
   * asked for.
   */
  private Optional<String> ownWrite(String key, byte[] body, int length) {
    Optional<BlobInfo> now = transport.head(key);
    if (now.isEmpty()) {
      return Optional.empty();
    }
    try {
      java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
      md5.update(body, 0, length);
      String ours = java.util.HexFormat.of().formatHex(md5.digest());
      return ours.equalsIgnoreCase(now.get().etag()) ? Optional.of(now.get().etag()) : Optional.empty();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Configures an {@link S3BlobStore}. Name at least the bucket. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String bucket;
    private String prefix = "";
    private @Nullable URI endpoint;
    private String region = "us-east-1";
    private boolean pathStyle;
    private @Nullable String accessKey;
    private @Nullable String secretKey;
    private Transport transport = Transport.AWS;
    private int partSize = 8 << 20;
    private int parallelism = 4;
    private boolean allowHttp;
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
     * A key prefix inside the bucket, so several registries can share one bucket.
     *
     * @param value e.g. {@code teams/vision}; slashes at either end are ignored
     * @return this builder
     */
    public Builder prefix(String value) {
      this.prefix = BlobStore.rootPrefix(value);
      return this;
    }

    /**
     * A custom endpoint for S3-compatible servers (default: AWS for the region).
     *
     * @param value e.g. {@code https://minio.internal:9000}
     * @return this builder
     */
    public Builder endpoint(URI value) {
      this.endpoint = value;
      return this;
    }

    /**
     * The region (default {@code us-east-1}).
     *
     * @param value the region
     * @return this builder
     */
    public Builder region(String value) {
      this.region = value;
      return this;
    }

    /**
     * Path-style addressing ({@code endpoint/bucket/key}), which most S3-compatible servers need.
     *
     * @param value whether to use path style
     * @return this builder
     */
    public Builder pathStyle(boolean value) {
      this.pathStyle = value;
      return this;
    }

    /**
     * Static credentials instead of the standard provider chain (environment, system properties, profile,
     * container and instance roles).
     *
     * @param accessKeyId the access key id
     * @param secretAccessKey the secret key, never logged
     * @return this builder
     */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      this.accessKey = accessKeyId;
      this.secretKey = secretAccessKey;
      return this;
    }

    /**
     * The client library (default {@link Transport#AWS}).
     *
     * @param value the transport
     * @return this builder
     */
    public Builder transport(Transport value) {
      this.transport = value;
      return this;
    }

    /**
     * Bytes per multipart part, and the largest object sent in one PUT (default 8 MiB, at least 5 MiB).
     *
     * @param bytes the part size
     * @return this builder
     */
    public Builder partSize(int bytes) {
      if (bytes < MIN_PART_SIZE) {
        throw new IllegalArgumentException("partSize must be at least 5 MiB (S3's minimum), got " + bytes);
      }
      this.partSize = bytes;
      return this;
    }

    /**
     * Parts of one object uploaded at once (default 4).
     *
     * @param value at least 1
     * @return this builder
     */
    public Builder parallelism(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("parallelism must be at least 1, got " + value);
      }
      this.parallelism = value;
      return this;
    }

    /**
     * Allows a plain-HTTP endpoint that is not on the loopback interface. Credentials and data then cross the
     * network unencrypted.
     *
     * @param value whether to allow it
     * @return this builder
     */
    public Builder allowHttp(boolean value) {
      this.allowHttp = value;
      return this;
    }

    /**
     * How long to wait for a connection (default 10 s).
     *
     * @param value the timeout
     * @return this builder
     */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    /**
     * The longest one request may take, retries included (default 5 min).
     *
     * @param value the timeout
     * @return this builder
     */
    public Builder requestTimeout(Duration value) {
      this.requestTimeout = value;
      return this;
    }

    /**
     * Attempts per request, the first included (default 4). 5xx, throttling and network errors are retried
     * with backoff; other 4xx are not.
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
    public S3BlobStore build() {
      if (bucket == null || bucket.isBlank()) {
        throw new IllegalArgumentException("name the bucket: S3BlobStore.builder().bucket(\"my-bucket\")");
      }
      if (endpoint != null) {
        dev.arca.registry.spi.Endpoints.requireSecure("S3 endpoint", endpoint, allowHttp);
      }
      S3Settings settings = new S3Settings(bucket, endpoint, region, pathStyle, accessKey, secretKey, connectTimeout,
          requestTimeout, maxAttempts, parallelism);
      S3Transport t = transport == Transport.AWS ? new AwsTransport(settings) : new MinioTransport(settings);
      try {
        t.checkBucket();
      } catch (RuntimeException e) {
        closeQuietly(t);
        throw e;
      }
      return new S3BlobStore(this, t);
    }

    private static void closeQuietly(S3Transport t) {
      try {
        t.close();
      } catch (IOException | RuntimeException ignored) {
        // the failed check is the error worth reporting
      }
    }
  }
}
