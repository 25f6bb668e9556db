package dev.arca.backend.s3;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** What a transport needs to connect. {@link #toString()} never shows the secret. */
record S3Settings(
    String bucket,
    @Nullable URI endpoint,
    String region,
    boolean pathStyle,
    @Nullable String accessKey,
    @Nullable String secretKey,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxAttempts,
    int parallelism) {

  /** Where requests go, for messages. */
  String where() {
    return "s3://" + bucket + (endpoint != null ? " at " + endpoint : " (AWS " + region + ")");
  }

  @Override
  public String toString() {
    return "S3Settings{" + where() + ", credentials=" + (accessKey != null ? "static" : "provider chain") + "}";
  }
}
