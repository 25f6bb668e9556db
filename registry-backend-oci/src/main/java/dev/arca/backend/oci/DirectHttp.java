package dev.arca.backend.oci;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The HTTP client for the requests Arca sends a registry itself, beside oras-java's: reading the registry's clock
 * ({@link ServerClock}) and exchanging credentials for a token ({@link TokenExchange}). It follows no redirect, so
 * neither credentials nor a reading go anywhere that was not checked. One per JVM: it is thread-safe, and each
 * client holds a selector thread.
 */
final class DirectHttp {

  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private DirectHttp() {}
}
