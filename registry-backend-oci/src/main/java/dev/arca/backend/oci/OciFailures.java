package dev.arca.backend.oci;

import dev.arca.registry.BackendException;
import dev.arca.registry.spi.Endpoints;
import java.io.IOException;
import land.oras.exception.OrasException;
import org.jspecify.annotations.Nullable;

/** Turns what oras-java reports into errors a user can act on; never includes credentials. */
final class OciFailures {

  private final String where;

  OciFailures(String where) {
    this.where = where;
  }

  /** The HTTP status of a failed call, 0 or less when no response arrived. */
  static int status(OrasException e) {
    Integer code = e.getStatusCode();
    return code == null ? 0 : code;
  }

  BackendException failure(String operation, @Nullable String key, Exception cause) {
    int status = cause instanceof OrasException o ? status(o) : 0;
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    // oras-java reports a refused password as "Invalid WWW-Authenticate header" (shared/TEST-SERVERS.md).
    if (status == 401 || status == 403 || message.contains("WWW-Authenticate")) {
      return new BackendException("oci", key, "authentication failed at " + where + " (" + operation
          + (status > 0 ? ", HTTP " + status : "") + "): check ARCA_OCI_USERNAME / ARCA_OCI_PASSWORD (or"
          + " ARCA_OCI_TOKEN) and that the account may use this repository", cause, false);
    }
    if (status <= 0 && (cause instanceof IOException || rootIsIo(cause))) {
      return new BackendException("oci", key, "cannot reach " + where + " (" + operation + "): "
          + Endpoints.rootMessage(cause) + ". Check the host and port and that the registry is up", cause, true);
    }
    boolean retryable = status >= 500 || status == 429;
    return new BackendException("oci", key, operation + " failed at " + where + ": "
        + (status > 0 ? "HTTP " + status + " - " : "") + Endpoints.rootMessage(cause), cause, retryable);
  }

  BackendException unknownRepository() {
    return new BackendException("oci", null, "repository " + where + " does not exist: check the path, or add"
        + " create=true to the URI to start a new registry there", null, false);
  }

  private static boolean rootIsIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
