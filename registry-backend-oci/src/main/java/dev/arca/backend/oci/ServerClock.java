package dev.arca.backend.oci;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The registry's own clock, read from the {@code Date} header of its answer to {@code GET /v2/} (HTTP requires
 * one from every origin server that has a clock; a 401 carries it too, so no credentials are sent). OCI
 * registries expose no modification times, so this is the one clock the janitor can share with every other
 * process. Its resolution is one second: see {@link #RESOLUTION}. Thread-safe.
 */
final class ServerClock {

  /** How much earlier than the true time a reading may be (HTTP dates are truncated to the second). */
  static final Duration RESOLUTION = Duration.ofSeconds(1);

  private static final String OPERATION = "GET /v2/ (the registry's clock)";

  private final URI base;
  private final OciFailures failures;

  ServerClock(URI base, OciFailures failures) {
    this.base = base;
    this.failures = failures;
  }

  /** The registry's time now, truncated to the second: a reading taken after an event is after it minus {@link #RESOLUTION}. */
  Instant now() {
    String date = dateHeader();
    try {
      return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw failures.failure(OPERATION, null, new IOException("unreadable Date header '" + date + "'", e));
    }
  }

  private String dateHeader() {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/v2/")).timeout(Duration.ofSeconds(30)).GET().build();
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<Void> response = DirectHttp.CLIENT.send(request, HttpResponse.BodyHandlers.discarding());
        java.util.Optional<String> date = response.headers().firstValue("Date");
        if (date.isPresent() && response.statusCode() < 500) {
          return date.get();
        }
        // a 5xx (from the registry or a proxy in front of it) may come without the registry's Date: ask again
        throw new IOException(response.statusCode() >= 500 ? "HTTP " + response.statusCode()
            : "the registry sends no Date header, so it has no clock to age replaced versions by");
      } catch (IOException e) {
        if (attempt >= OciBackend.ATTEMPTS) {
          throw failures.failure(OPERATION, null, e);
        }
        pause(attempt, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failures.failure(OPERATION, null, new IOException("interrupted", e));
      }
    }
  }

  private void pause(int attempt, IOException cause) {
    try {
      Thread.sleep(50L << attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failures.failure(OPERATION, null, cause);
    }
  }
}
