package dev.arca.backend.gcs;

import com.google.cloud.NoCredentials;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BackendProvider;
import dev.arca.registry.spi.UriOptions;
import java.net.URI;
import java.util.Map;
import java.nio.file.Path;

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
    UriOptions.refuseCredentials(uri, "use credentials=/path/to/key.json or Application Default Credentials");
    String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("gs URI '" + uri + "' names no bucket: write gs://bucket/prefix");
    }
    GcsBlobStore.Builder builder = GcsBlobStore.builder().bucket(bucket)
        .prefix(uri.getPath() == null ? "" : uri.getPath());
    for (Map.Entry<String, String> option : UriOptions.of(uri).entrySet()) {
      String key = option.getKey();
      String value = option.getValue();
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
        case "allowHttp" -> builder.allowHttp(UriOptions.bool(key, value));
        case "maxAttempts" -> builder.maxAttempts(Integer.parseInt(value));
        case "connectTimeout" -> builder.connectTimeout(UriOptions.duration(value));
        case "requestTimeout" -> builder.requestTimeout(UriOptions.duration(value));
        default -> throw new IllegalArgumentException("unknown option '" + key + "' in gs URI; known: endpoint,"
            + " credentials, project, chunkSize, allowHttp, connectTimeout, requestTimeout, maxAttempts");
      }
    }
    return builder;
  }
}
