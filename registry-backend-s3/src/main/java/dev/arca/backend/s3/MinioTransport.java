package dev.arca.backend.s3;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import io.minio.AbortMultipartUploadArgs;
import io.minio.BucketExistsArgs;
import io.minio.CompleteMultipartUploadArgs;
import io.minio.CreateMultipartUploadArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MinioAsyncClient;
import io.minio.PutObjectAPIArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadPartArgs;
import io.minio.credentials.Credentials;
import io.minio.credentials.Provider;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import io.minio.messages.Part;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * {@link S3Transport} on the MinIO Java client. Credentials left to the environment are resolved through the
 * same standard AWS provider chain as the AWS transport, on every request (so rotated session credentials are
 * picked up).
 */
final class MinioTransport implements S3Transport {

  private final S3Settings settings;
  private final MinioAsyncClient client;
  private final OkHttpClient http;
  private final @Nullable DefaultCredentialsProvider chain;

  MinioTransport(S3Settings settings) {
    this.settings = settings;
    this.http = new OkHttpClient.Builder()
        .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .writeTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .callTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .retryOnConnectionFailure(true)
        .build();
    MinioAsyncClient.Builder builder = MinioAsyncClient.builder()
        .endpoint(settings.endpoint() != null ? settings.endpoint().toString()
            : "https://s3." + settings.region() + ".amazonaws.com")
        .region(settings.region())
        .httpClient(http);
    if (settings.accessKey() != null) {
      this.chain = null;
      builder.credentials(settings.accessKey(), settings.secretKey());
    } else {
      this.chain = DefaultCredentialsProvider.builder().build();
      builder.credentialsProvider(new ChainProvider(chain));
    }
    this.client = builder.build();
  }

  /** Adapts the AWS provider chain to MinIO's provider interface. */
  private record ChainProvider(DefaultCredentialsProvider chain) implements Provider {
    @Override
    public Credentials fetch() {
      AwsCredentials c = chain.resolveCredentials();
      String token = c instanceof AwsSessionCredentials s ? s.sessionToken() : null;
      return new Credentials(c.accessKeyId(), c.secretAccessKey(), token, null);
    }
  }

  @Override
  public void checkBucket() {
    boolean exists = await("HEAD bucket", null, () -> client.bucketExists(
        BucketExistsArgs.builder().bucket(settings.bucket()).build()));
    if (!exists) {
      throw S3Failures.failure(settings, "HEAD bucket", null, 404, "NoSuchBucket",
          new IllegalStateException("no such bucket"));
    }
  }

  @Override
  public Optional<String> put(String key, byte[] data, int length, Condition condition) {
    return conditional("PUT", key, condition, () -> client.putObject(PutObjectAPIArgs.builder()
        .bucket(settings.bucket()).object(key).data(data, length).contentType("application/octet-stream")
        .extraHeaders(conditionHeaders(condition)).build()).thenApply(r -> r.etag()));
  }

  @Override
  public String startMultipart(String key) {
    return await("POST uploads", key, () -> client.createMultipartUpload(CreateMultipartUploadArgs.builder()
        .bucket(settings.bucket()).object(key).build())).result().uploadId();
  }

  @Override
  public String uploadPart(String key, String uploadId, int partNumber, byte[] data, int length) {
    return await("PUT part " + partNumber, key, () -> client.uploadPart(UploadPartArgs.builder()
        .bucket(settings.bucket()).object(key).uploadId(uploadId).partNumber(partNumber).data(data, length)
        .build())).part().etag();
  }

  @Override
  public String completeMultipart(String key, String uploadId, List<String> partEtags) {
    Part[] parts = new Part[partEtags.size()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = new Part(i + 1, partEtags.get(i));
    }
    return S3Transport.etag(await("POST complete", key, () -> client.completeMultipartUpload(
        CompleteMultipartUploadArgs.builder().bucket(settings.bucket()).object(key).uploadId(uploadId).parts(parts)
            .build())).etag());
  }

  @Override
  public void abortMultipart(String key, String uploadId) {
    await("DELETE upload", key, () -> client.abortMultipartUpload(AbortMultipartUploadArgs.builder()
        .bucket(settings.bucket()).object(key).uploadId(uploadId).build()));
  }

  @Override
  public Optional<BlobContent> get(String key, long offset, long length) {
    return retrying(() -> getOnce(key, offset, length));
  }

  private Optional<BlobContent> getOnce(String key, long offset, long length) {
    GetObjectArgs.Builder args = GetObjectArgs.builder().bucket(settings.bucket()).object(key);
    if (offset > 0 || length >= 0) {
      args.offset(offset);
      if (length >= 0) {
        args.length(length);
      }
    }
    try {
      GetObjectResponse response = client.getObject(args.build()).get();
      okhttp3.Headers h = response.headers();
      String lengthHeader = h.get("Content-Length");
      long size = AwsTransport.totalSize(h.get("Content-Range"), lengthHeader != null ? Long.parseLong(lengthHeader) : null);
      Instant modified = h.getInstant("Last-Modified") != null ? h.getInstant("Last-Modified") : Instant.EPOCH;
      return Optional.of(new BlobContent(new BlobInfo(key, size, S3Transport.etag(String.valueOf(h.get("ETag"))), modified), response));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ErrorResponseException r && "NoSuchKey".equals(r.errorResponse().code())) {
        return Optional.empty();
      }
      throw failure("GET", key, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("GET", key, e);
    }
  }

  @Override
  public Optional<BlobInfo> head(String key) {
    return retrying(() -> headOnce(key));
  }

  private Optional<BlobInfo> headOnce(String key) {
    try {
      StatObjectResponse r = client.statObject(StatObjectArgs.builder().bucket(settings.bucket()).object(key).build())
          .get();
      return Optional.of(new BlobInfo(key, r.size(), S3Transport.etag(r.etag()), instant(r.lastModified())));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ErrorResponseException r && r.response() != null && r.response().code() == 404) {
        return Optional.empty();
      }
      throw failure("HEAD", key, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("HEAD", key, e);
    }
  }

  /** One page holding every key: the client pages through the server's 1000-key pages lazily itself. */
  @Override
  public ListPage list(String prefix, boolean delimited, @Nullable String pageToken) {
    return retrying(() -> listOnce(prefix, delimited));
  }

  private ListPage listOnce(String prefix, boolean delimited) {
    List<BlobInfo> blobs = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    ListObjectsArgs.Builder args = ListObjectsArgs.builder().bucket(settings.bucket()).prefix(prefix)
        .recursive(!delimited).maxKeys(1000);
    try {
      for (Result<Item> result : client.listObjects(args.build())) {
        Item item = result.get();
        if (item.isDir()) {
          prefixes.add(item.objectName());
        } else {
          blobs.add(new BlobInfo(item.objectName(), item.size(), S3Transport.etag(item.etag()), instant(item.lastModified())));
        }
      }
    } catch (Exception e) {
      throw failure("LIST", prefix, e instanceof ExecutionException x && x.getCause() != null ? x.getCause() : e);
    }
    return new ListPage(blobs, prefixes, null);
  }

  @Override
  public void delete(String key) {
    await("DELETE", key, () -> client.removeObject(RemoveObjectArgs.builder().bucket(settings.bucket()).object(key).build()));
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    if (chain != null) {
      chain.close();
    }
  }

  private static Map<String, String> conditionHeaders(Condition condition) {
    if (condition instanceof Condition.IfAbsent) {
      return Map.of("If-None-Match", "*");
    }
    if (condition instanceof Condition.IfMatch m) {
      return Map.of("If-Match", m.etag());
    }
    return Map.of();
  }

  private Optional<String> conditional(String operation, String key, Condition condition,
      java.util.function.Supplier<CompletableFuture<String>> call) {
    return retrying(() -> conditionalOnce(operation, key, condition, call));
  }

  private Optional<String> conditionalOnce(String operation, String key, Condition condition,
      java.util.function.Supplier<CompletableFuture<String>> call) {
    try {
      return Optional.of(S3Transport.etag(call.get().get()));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ErrorResponseException r && r.response() != null
          && S3Failures.preconditionFailed(r.response().code(), r.errorResponse().code(), condition)) {
        return Optional.empty();
      }
      throw failure(operation, key, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(operation, key, e);
    }
  }

  private <T> T await(String operation, @Nullable String key, java.util.function.Supplier<CompletableFuture<T>> call) {
    return retrying(() -> awaitOnce(operation, key, call.get()));
  }

  /**
   * Runs a call, retrying retryable failures (no response, 5xx, throttling) with exponential backoff and
   * jitter, as the AWS SDK's standard strategy does; other errors are thrown at once.
   */
  private <T> T retrying(java.util.function.Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (dev.arca.registry.BackendException e) {
        if (!e.retryable() || attempt >= settings.maxAttempts()) {
          throw e;
        }
        long backoff = Math.min(2_000, 100L << (attempt - 1));
        try {
          Thread.sleep(backoff / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private <T> T awaitOnce(String operation, @Nullable String key, CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw failure(operation, key, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(operation, key, e);
    }
  }

  private RuntimeException failure(String operation, @Nullable String key, Throwable cause) {
    Throwable t = cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null
        ? cause.getCause() : cause;
    if (t instanceof ErrorResponseException r) {
      int status = r.response() != null ? r.response().code() : 0;
      return S3Failures.failure(settings, operation, key, status, r.errorResponse().code(), r);
    }
    if (t instanceof io.minio.errors.InvalidResponseException r) {
      return S3Failures.failure(settings, operation, key, 0, null, r);
    }
    return S3Failures.failure(settings, operation, key, -1, null, t);
  }

  private static Instant instant(@Nullable ZonedDateTime time) {
    return time != null ? time.toInstant() : Instant.EPOCH;
  }
}
