package dev.arca.backend.s3;

import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BackendProvider;
import dev.arca.registry.spi.UriOptions;
import java.net.URI;
import java.util.Map;
import java.util.Locale;

/**
 * Opens {@code s3://bucket[/prefix][?options]} registries. Options: {@code endpoint} (an http(s) URL, for
 * S3-compatible servers), {@code region}, {@code pathStyle=true}, {@code transport=aws|minio},
 * {@code partSize} (bytes), {@code parallelism}, {@code allowHttp=true}, {@code connectTimeout} and
 * {@code requestTimeout} (ISO-8601 durations or seconds), {@code maxAttempts}. Credentials come from the standard
 * AWS provider chain (e.g. {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}), never from the URI.
 */
public final class S3BackendProvider implements BackendProvider {

  /** For ServiceLoader. */
  public S3BackendProvider() {}

  @Override
  public String scheme() {
    return "s3";
  }

  @Override
  public Backend open(URI uri, BackendContext context) {
    return context.objectStore(configure(uri).build());
  }

  /** A builder configured from a URI; exposed to the package for tests of the parsing. */
  static S3BlobStore.Builder configure(URI uri) {
    UriOptions.refuseCredentials(uri, "use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an AWS profile");
    String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("s3 URI '" + uri + "' names no bucket: write s3://bucket/prefix");
    }
    S3BlobStore.Builder builder = S3BlobStore.builder().bucket(bucket)
        .prefix(uri.getPath() == null ? "" : uri.getPath());
    for (Map.Entry<String, String> option : UriOptions.of(uri).entrySet()) {
      String key = option.getKey();
      String value = option.getValue();
      switch (key) {
        case "endpoint" -> builder.endpoint(URI.create(value));
        case "region" -> builder.region(value);
        case "pathStyle" -> builder.pathStyle(UriOptions.bool(key, value));
        case "allowHttp" -> builder.allowHttp(UriOptions.bool(key, value));
        case "transport" -> builder.transport(transport(value));
        case "partSize" -> builder.partSize(Integer.parseInt(value));
        case "parallelism" -> builder.parallelism(Integer.parseInt(value));
        case "maxAttempts" -> builder.maxAttempts(Integer.parseInt(value));
        case "connectTimeout" -> builder.connectTimeout(UriOptions.duration(value));
        case "requestTimeout" -> builder.requestTimeout(UriOptions.duration(value));
        default -> throw new IllegalArgumentException("unknown option '" + key + "' in s3 URI; known: endpoint,"
            + " region, pathStyle, transport, partSize, parallelism, allowHttp, connectTimeout, requestTimeout,"
            + " maxAttempts");
      }
    }
    return builder;
  }

  private static S3BlobStore.Transport transport(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "aws" -> S3BlobStore.Transport.AWS;
      case "minio" -> S3BlobStore.Transport.MINIO;
      default -> throw new IllegalArgumentException("transport must be aws or minio, got '" + value + "'");
    };
  }
}
