package dev.arca.backend.s3;

import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BackendProvider;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("s3 URI carries credentials: never put them in a URI (it ends up in logs"
          + " and config files); use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an AWS profile");
    }
    String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("s3 URI '" + uri + "' names no bucket: write s3://bucket/prefix");
    }
    S3BlobStore.Builder builder = S3BlobStore.builder().bucket(bucket)
        .prefix(uri.getPath() == null ? "" : uri.getPath());
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String option : query.split("&")) {
        String[] kv = option.split("=", 2);
        String key = kv[0];
        String value = kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
        switch (key) {
          case "endpoint" -> builder.endpoint(URI.create(value));
          case "region" -> builder.region(value);
          case "pathStyle" -> builder.pathStyle(bool(key, value));
          case "allowHttp" -> builder.allowHttp(bool(key, value));
          case "transport" -> builder.transport(transport(value));
          case "partSize" -> builder.partSize(Integer.parseInt(value));
          case "parallelism" -> builder.parallelism(Integer.parseInt(value));
          case "maxAttempts" -> builder.maxAttempts(Integer.parseInt(value));
          case "connectTimeout" -> builder.connectTimeout(duration(value));
          case "requestTimeout" -> builder.requestTimeout(duration(value));
          default -> throw new IllegalArgumentException("unknown option '" + key + "' in s3 URI; known: endpoint,"
              + " region, pathStyle, transport, partSize, parallelism, allowHttp, connectTimeout, requestTimeout,"
              + " maxAttempts");
        }
      }
    }
    return builder;
  }

  private static boolean bool(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
    };
  }

  private static S3BlobStore.Transport transport(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "aws" -> S3BlobStore.Transport.AWS;
      case "minio" -> S3BlobStore.Transport.MINIO;
      default -> throw new IllegalArgumentException("transport must be aws or minio, got '" + value + "'");
    };
  }

  private static Duration duration(String value) {
    return value.matches("[0-9]+") ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
  }
}
