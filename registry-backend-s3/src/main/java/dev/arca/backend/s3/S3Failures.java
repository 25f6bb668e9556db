package dev.arca.backend.s3;

import dev.arca.registry.BackendException;
import dev.arca.registry.spi.Endpoints;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Turns what a client library reports into errors a user can act on; never includes credentials. */
final class S3Failures {

  private static final Set<String> AUTH_CODES = Set.of("AccessDenied", "InvalidAccessKeyId",
      "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed");
  /**
   * The 409 AWS answers a conditional write racing another conditional write to the same key: this one was not
   * applied and says nothing about the condition, so it is retried, never taken for a failed condition.
   */
  static final String CONDITIONAL_CONFLICT = "ConditionalRequestConflict";

  private static final Set<String> THROTTLING = Set.of("SlowDown", "Throttling", "ThrottlingException",
      "RequestTimeout", "InternalError", "ServiceUnavailable", CONDITIONAL_CONFLICT);

  private S3Failures() {}

  /**
   * Whether a response to a conditional write means its precondition failed: 412, or a 404 for If-Match on a key
   * that does not exist. Not a 409 {@link #CONDITIONAL_CONFLICT}: that write was not applied, and is retried.
   */
  static boolean preconditionFailed(int status, @Nullable String code, dev.arca.registry.spi.Condition condition) {
    return status == 412
        || (status == 404 && "NoSuchKey".equals(code) && condition instanceof dev.arca.registry.spi.Condition.IfMatch);
  }

  /**
   * @param operation e.g. {@code PUT}
   * @param key the object key, or null for bucket-level calls
   * @param status the HTTP status, or -1 when no response arrived
   * @param code the S3 error code, or null
   */
  static BackendException failure(S3Settings settings, String operation, @Nullable String key, int status,
      @Nullable String code, Throwable cause) {
    String where = settings.where();
    if (status == -1) {
      return new BackendException("s3", key, "cannot reach " + where + " (" + operation + "): "
          + Endpoints.rootMessage(cause) + ". Check the endpoint and that the server is up", cause, true);
    }
    if (status == 403 || status == 401 || (code != null && AUTH_CODES.contains(code))) {
      return new BackendException("s3", key, "access denied by " + where + " (" + operation + ", HTTP " + status
          + (code != null ? " " + code : "") + "): check the access key and secret (builder credentials or the"
          + " AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment) and the bucket policy", cause, false);
    }
    if ("NoSuchBucket".equals(code) || (status == 404 && key == null)) {
      return new BackendException("s3", key, "bucket '" + settings.bucket() + "' does not exist at " + where
          + ": create it, or fix the bucket name", cause, false);
    }
    if (CONDITIONAL_CONFLICT.equals(code)) {
      return new BackendException("s3", key, operation + " met another conditional write to the same key at "
          + where + " on every attempt (HTTP 409 " + code + "); nothing was written: try again", cause, true);
    }
    boolean retryable = status >= 500 || status == 429 || (code != null && THROTTLING.contains(code));
    return new BackendException("s3", key, operation + " failed at " + where + ": HTTP " + status
        + (code != null ? " " + code : "") + " - " + Endpoints.rootMessage(cause), cause, retryable);
  }
}
