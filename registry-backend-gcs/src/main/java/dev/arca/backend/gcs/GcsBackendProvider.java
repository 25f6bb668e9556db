package dev.arca.backend.gcs;

import com.google.cloud.NoCredentials;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BackendProvider;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Opens {@code gs://bucket[/prefix][?options]} registries. Options: {@code endpoint} (an http(s) URL, for a
 * private or GCS-compatible endpoint), {@code credentials} (the path of a service-account key file, or
 * {@code none} for anonymous access; default: Application Default Credentials), {@code project},
 * {@code chunkSize} (bytes), {@code allowHttp=true}, {@code connectTimeout} and {@code requestTimeout} (ISO-8601
 * durations or seconds), {@code maxAttempts}.
 */
public final class GcsBackendProvider implements BackendProvider {

  /** For ServiceLoader. */
  public GcsBackendProvider() {}

  @Override
  public String scheme() {
    return "gs";
  }

  @Override
  public Backend open(URI uri, BackendContext context) {
    return context.objectStore(configure(uri).build());
  }

  /** A builder configured from a URI; exposed to the package for tests of the parsing. */
  static GcsBlobStore.Builder configure(URI uri) {
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("gs URI carries credentials: never put them in a URI (it ends up in logs"
          + " and config files); use credentials=/path/to/key.json or Application Default Credentials");
    }
    String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("gs URI '" + uri + "' names no bucket: write gs://bucket/prefix");
    }
    GcsBlobStore.Builder builder = GcsBlobStore.builder().bucket(bucket)
        .prefix(uri.getPath() == null ? "" : uri.getPath());
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String option : query.split("&")) {
        String[] kv = option.split("=", 2);
        String key = kv[0];
        String value = kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
        switch (key) {
          case "endpoint" -> builder.endpoint(URI.create(value));
          case "credentials" -> {
            if (value.equals("none")) {
              builder.credentials(NoCredentials.getInstance());
            } else {
              builder.credentialsFile(Path.of(value));
            }
          }
          case "project" -> builder.projectId(value);
          case "chunkSize" -> builder.chunkSize(Integer.parseInt(value));
          case "allowHttp" -> builder.allowHttp(bool(key, value));
          case "maxAttempts" -> builder.maxAttempts(Integer.parseInt(value));
          case "connectTimeout" -> builder.connectTimeout(duration(value));
          case "requestTimeout" -> builder.requestTimeout(duration(value));
          default -> throw new IllegalArgumentException("unknown option '" + key + "' in gs URI; known: endpoint,"
              + " credentials, project, chunkSize, allowHttp, connectTimeout, requestTimeout, maxAttempts");
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

  private static Duration duration(String value) {
    return value.matches("[0-9]+") ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
  }
}
