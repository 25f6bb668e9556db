package dev.arca.backend.s3;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/** {@link S3Transport} on the AWS SDK for Java v2, with the Apache HTTP client chosen explicitly. */
final class AwsTransport implements S3Transport {

  private final S3Settings settings;
  private final S3Client s3;
  private final AwsCredentialsProvider credentials;

  AwsTransport(S3Settings settings) {
    this.settings = settings;
    this.credentials = settings.accessKey() != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
        : DefaultCredentialsProvider.builder().build();
    S3ClientBuilder builder = S3Client.builder()
        .httpClient(ApacheHttpClient.builder()
            .connectionTimeout(settings.connectTimeout())
            .socketTimeout(settings.requestTimeout())
            .maxConnections(Math.max(16, settings.parallelism() * 4))
            .expectContinueEnabled(false)
            .build())
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(settings.pathStyle())
        // Over plain HTTP the SDK would sign bodies as aws-chunked streams, and RADOS Gateway refuses an empty one
        // (400 XAmzContentSHA256Mismatch). Unchunked, the body's sha256 is signed instead: the same one hash of the
        // bytes. Over HTTPS the payload is not signed either way.
        .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
        // Arca hashes every byte with sha256 itself; the SDK's extra CRC checksums would be a second pass.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o
            // No retry quota: its token bucket empties when conditional writes lose races (RADOS Gateway answers a
            // lost If-Match race with a 500, not applied), and then the retry that would meet the 412 never runs.
            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .circuitBreakerEnabled(false)
                .retryOnException(AwsTransport::conditionalConflict)
                .maxAttempts(settings.maxAttempts()).build())
            .apiCallTimeout(settings.requestTimeout()));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    this.s3 = builder.build();
  }

  @Override
  public void checkBucket() {
    call("HEAD bucket", null, () -> s3.headBucket(r -> r.bucket(settings.bucket())));
  }

  @Override
  public Optional<String> put(String key, byte[] data, int length, Condition condition) {
    return conditional("PUT", key, condition, () -> s3.putObject(r -> {
      r.bucket(settings.bucket()).key(key).contentLength((long) length);
      if (condition instanceof Condition.IfAbsent) {
        r.ifNoneMatch("*");
      } else if (condition instanceof Condition.IfMatch m) {
        r.ifMatch(m.etag());
      }
    }, body(data, length)).eTag());
  }

  @Override
  public String startMultipart(String key) {
    return call("POST uploads", key,
        () -> s3.createMultipartUpload(r -> r.bucket(settings.bucket()).key(key)).uploadId());
  }

  @Override
  public String uploadPart(String key, String uploadId, int partNumber, byte[] data, int length) {
    return call("PUT part " + partNumber, key, () -> s3.uploadPart(r -> r.bucket(settings.bucket()).key(key)
        .uploadId(uploadId).partNumber(partNumber).contentLength((long) length), body(data, length)).eTag());
  }

  @Override
  public String completeMultipart(String key, String uploadId, List<String> partEtags) {
    List<CompletedPart> parts = new ArrayList<>(partEtags.size());
    for (int i = 0; i < partEtags.size(); i++) {
      parts.add(CompletedPart.builder().partNumber(i + 1).eTag(partEtags.get(i)).build());
    }
    return S3Transport.etag(call("POST complete", key, () -> s3.completeMultipartUpload(r -> r
        .bucket(settings.bucket()).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts))).eTag()));
  }

  @Override
  public void abortMultipart(String key, String uploadId) {
    call("DELETE upload", key, () -> s3.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(key)
        .uploadId(uploadId)));
  }

  @Override
  public Optional<BlobContent> get(String key, long offset, long length) {
    try {
      var stream = s3.getObject(r -> {
        r.bucket(settings.bucket()).key(key);
        if (offset > 0 || length >= 0) {
          r.range("bytes=" + offset + "-" + (length >= 0 ? String.valueOf(offset + length - 1) : ""));
        }
      }, ResponseTransformer.toInputStream());
      GetObjectResponse response = stream.response();
      long size = totalSize(response.contentRange(), response.contentLength());
      return Optional.of(new BlobContent(new BlobInfo(key, size, S3Transport.etag(response.eTag()), lastModified(response.lastModified())),
          stream));
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404 && !"NoSuchBucket".equals(code(e))) {
        return Optional.empty();
      }
      throw S3Failures.failure(settings, "GET", key, e.statusCode(), code(e), e);
    } catch (SdkException e) {
      throw S3Failures.failure(settings, "GET", key, -1, null, e);
    }
  }

  @Override
  public Optional<BlobInfo> head(String key) {
    try {
      HeadObjectResponse r = s3.headObject(b -> b.bucket(settings.bucket()).key(key));
      return Optional.of(new BlobInfo(key, r.contentLength(), S3Transport.etag(r.eTag()), lastModified(r.lastModified())));
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw S3Failures.failure(settings, "HEAD", key, e.statusCode(), code(e), e);
    } catch (SdkException e) {
      throw S3Failures.failure(settings, "HEAD", key, -1, null, e);
    }
  }

  @Override
  public ListPage list(String prefix, boolean delimited, @Nullable String pageToken) {
    ListObjectsV2Response page = call("LIST", prefix, () -> s3.listObjectsV2(r -> {
      r.bucket(settings.bucket()).prefix(prefix).maxKeys(1000);
      if (delimited) {
        r.delimiter("/");
      }
      if (pageToken != null) {
        r.continuationToken(pageToken);
      }
    }));
    List<BlobInfo> blobs = new ArrayList<>(page.contents().size());
    for (S3Object o : page.contents()) {
      blobs.add(new BlobInfo(o.key(), o.size(), S3Transport.etag(o.eTag()), lastModified(o.lastModified())));
    }
    List<String> prefixes = new ArrayList<>(page.commonPrefixes().size());
    for (CommonPrefix p : page.commonPrefixes()) {
      prefixes.add(p.prefix());
    }
    return new ListPage(blobs, prefixes, Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null);
  }

  @Override
  public void delete(String key) {
    call("DELETE", key, () -> s3.deleteObject(r -> r.bucket(settings.bucket()).key(key)));
  }

  @Override
  public void close() {
    s3.close();
    if (credentials instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // nothing held that matters once the client is closed
      }
    }
  }

  private static RequestBody body(byte[] data, int length) {
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
        "application/octet-stream");
  }

  private Optional<String> conditional(String operation, String key, Condition condition,
      java.util.function.Supplier<String> call) {
    try {
      return Optional.of(S3Transport.etag(call.get()));
    } catch (AwsServiceException e) {
      if (S3Failures.preconditionFailed(e.statusCode(), code(e), condition)) {
        return Optional.empty();
      }
      throw S3Failures.failure(settings, operation, key, e.statusCode(), code(e), e);
    } catch (SdkException e) {
      throw S3Failures.failure(settings, operation, key, -1, null, e);
    }
  }

  private <T> T call(String operation, @Nullable String key, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (AwsServiceException e) {
      throw S3Failures.failure(settings, operation, key, e.statusCode(), code(e), e);
    } catch (SdkException e) {
      throw S3Failures.failure(settings, operation, key, -1, null, e);
    }
  }

  /** A 409 for a conditional write racing another: not applied, so retried like a throttled request. */
  private static boolean conditionalConflict(Throwable t) {
    return t instanceof AwsServiceException e && e.statusCode() == 409
        && S3Failures.CONDITIONAL_CONFLICT.equals(code(e));
  }

  private static @Nullable String code(AwsServiceException e) {
    return e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
  }

  private static Instant lastModified(@Nullable Instant time) {
    return time != null ? time : Instant.EPOCH;
  }

  /** The whole object's size: the total of a Content-Range, else the body's length. */
  static long totalSize(@Nullable String contentRange, @Nullable Long contentLength) {
    if (contentRange != null) {
      int slash = contentRange.lastIndexOf('/');
      if (slash >= 0 && !contentRange.endsWith("*")) {
        return Long.parseLong(contentRange.substring(slash + 1).trim());
      }
    }
    return contentLength != null ? contentLength : -1;
  }
}
