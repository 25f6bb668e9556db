package dev.arca.backend.gcs;

import com.google.cloud.BaseServiceException;
import dev.arca.registry.BackendException;
import dev.arca.registry.spi.Endpoints;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Turns what the GCS client reports into errors a user can act on; never includes credentials. */
final class GcsFailures {

  private final String bucket;
  private final String where;

  GcsFailures(String bucket, @Nullable URI endpoint) {
    this.bucket = bucket;
    this.where = "gs://" + bucket + (endpoint != null ? " at " + endpoint : "");
  }

  /** The HTTP status in a client failure or its causes, 0 when no response arrived. */
  static int status(@Nullable Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BaseServiceException s && s.getCode() > 0) {
        return s.getCode();
      }
    }
    return 0;
  }

  BackendException failure(String operation, @Nullable String key, Throwable cause) {
    int status = status(cause);
    if (status == 0 && rootCause(cause) instanceof IOException) {
      return new BackendException("gs", key, "cannot reach " + where + " (" + operation + "): "
          + Endpoints.rootMessage(cause) + ". Check the endpoint and the network", cause, true);
    }
    if (status == 401 || status == 403) {
      return new BackendException("gs", key, "access denied by " + where + " (" + operation + ", HTTP " + status
          + "): check the credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, or"
          + " the credentials option) and the bucket's IAM roles", cause, false);
    }
    if (status == 404 && key == null) {
      return missingBucket(cause);
    }
    boolean retryable = status >= 500 || status == 429 || status == 408;
    return new BackendException("gs", key, operation + " failed at " + where + ": "
        + (status > 0 ? "HTTP " + status + " - " : "") + Endpoints.rootMessage(cause), cause, retryable);
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  BackendException missingBucket(@Nullable Throwable cause) {
    return new BackendException("gs", null, "bucket '" + bucket + "' does not exist at " + where
        + ": create it, or fix the bucket name", cause, false);
  }

  BackendException credentials(@Nullable Path file, IOException cause) {
    String source = file != null ? "the service-account file " + file
        : "Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS or gcloud auth application-default login)";
    return new BackendException("gs", null, "cannot load credentials from " + source + ": " + Endpoints.rootMessage(cause)
        + ". For anonymous access to a public bucket or a local server, use credentials=none", cause, false);
  }
}
