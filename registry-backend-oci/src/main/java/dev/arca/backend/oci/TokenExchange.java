package dev.arca.backend.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import land.oras.ContainerRef;
import land.oras.auth.AuthProvider;
import land.oras.auth.AuthScheme;
import land.oras.exception.OrasException;
import org.jspecify.annotations.Nullable;

/**
 * A user and password for one repository, sent as the registry asks: basic authentication, or exchanged at its
 * token service for a bearer token (the Docker registry token flow GHCR and Docker Hub use). The first request
 * asks the registry ({@code GET /v2/}) which; a token is asked for every action Arca uses on the repository
 * (pull, push, delete: the service grants what the account may) and renewed before it expires, so the registry
 * does not challenge a request that carries it.
 *
 * <p>Arca does this rather than oras-java 0.7.0, whose own exchange sends the token it cached to the token service
 * instead of the credentials when a later request is challenged (as a blob upload's PUT is): a token service that
 * takes only credentials refuses that, and the push fails (fixed in oras-java 0.8.3, oras-project/oras-java#847,
 * which does not resolve here). Credentials go only to the registry and to the token service it names, and
 * never over plain HTTP unless the URI allows it (no redirect is followed); they are in no message.
 *
 * <p>Limits, from oras-java 0.7.0: a request refused with 401 or 403 despite the token (a revoked token, a clock
 * far off) makes oras ask the token service itself, sending this token, which fails the call with an
 * authentication error; and oras sends the header to a blob upload's {@code Location} even on another host.
 */
final class TokenExchange implements AuthProvider {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PARAMETER = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  /** The token lifetime the token flow specifies when the service does not say. */
  private static final long DEFAULT_SECONDS = 60;
  /** For each request: a token service that never answers fails the call instead of holding every caller. */
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String user;
  private final String basic;
  private final URI registry;
  private final String scope;
  private final boolean allowHttp;
  /** What the registry asked for, once known: basic (never renewed) or a bearer token renewed at {@link #renewAt}. */
  private @Nullable String header;
  private @Nullable Instant renewAt;

  /**
   * @param host the registry, {@code host[:port]} as the URI names it ({@code docker.io} is Docker Hub's API host)
   * @param repository the repository path
   * @param user the user
   * @param password the password or personal access token
   * @param allowHttp whether the registry and its token service may be plain HTTP
   */
  TokenExchange(String host, String repository, String user, String password, boolean allowHttp) {
    this.user = user;
    this.basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
    this.registry = URI.create((allowHttp ? "http://" : "https://") + (host.equals("docker.io")
        ? "registry-1.docker.io" : host) + "/v2/");
    this.scope = "repository:" + repository + ":pull,push,delete";
    this.allowHttp = allowHttp;
  }

  @Override
  public synchronized @Nullable String getAuthHeader(ContainerRef ignored) {
    if (header != null && (renewAt == null || Instant.now().isBefore(renewAt))) {
      return header;
    }
    try {
      HttpResponse<Void> probe = DirectHttp.CLIENT.send(HttpRequest.newBuilder(registry).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      String challenge = probe.headers().firstValue("WWW-Authenticate").orElse("");
      if (probe.statusCode() == 200
          || probe.statusCode() == 401 && challenge.regionMatches(true, 0, "Basic", 0, 5)) {
        header = basic; // a registry that asks for nothing ignores it
        renewAt = null;
      } else if (probe.statusCode() == 401 && challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
        header = token(challenge);
      } else if (probe.statusCode() == 401) {
        throw new OrasException(registry + " asks for an authentication Arca does not know: "
            + challenge.split(" ", 2)[0]);
      } else {
        // decided again at the next request: a registry that is down now may challenge later
        throw new OrasException(probe.statusCode(), registry + " answered HTTP " + probe.statusCode()
            + " when asked which authentication it wants");
      }
      return header;
    } catch (IOException e) {
      throw new OrasException("cannot reach " + registry + " to authenticate: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OrasException("interrupted while authenticating at " + registry, e);
    }
  }

  @Override
  public synchronized AuthScheme getAuthScheme() {
    return basic.equals(header) ? AuthScheme.BASIC : AuthScheme.BEARER;
  }

  /** Exchanges the credentials at the token service the challenge names. */
  private String token(String challenge) throws IOException, InterruptedException {
    Map<String, String> parameters = new LinkedHashMap<>();
    Matcher m = PARAMETER.matcher(challenge);
    while (m.find()) {
      parameters.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
    }
    String realm = parameters.get("realm");
    if (realm == null) {
      throw new OrasException(registry + " asks for a bearer token without naming a token service (realm)");
    }
    URI service = URI.create(realm);
    if (!"https".equals(service.getScheme()) && !(allowHttp && "http".equals(service.getScheme()))) {
      throw new OrasException(registry + " names the token service " + service.getScheme() + "://"
          + service.getAuthority() + ", which is not HTTPS: credentials are not sent there (allowHttp=true allows"
          + " plain HTTP)");
    }
    String query = (parameters.containsKey("service")
        ? "service=" + URLEncoder.encode(parameters.get("service"), StandardCharsets.UTF_8) + "&" : "")
        + "scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
    URI ask = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
    Instant asked = Instant.now();
    HttpResponse<byte[]> answer = DirectHttp.CLIENT.send(HttpRequest.newBuilder(ask).timeout(TIMEOUT)
        .header("Authorization", basic).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    String at = service.getScheme() + "://" + service.getAuthority() + service.getPath();
    if (answer.statusCode() == 401 || answer.statusCode() == 403) {
      throw new OrasException(answer.statusCode(), "the token service " + at + " refused the credentials of '"
          + user + "'");
    }
    if (answer.statusCode() != 200) {
      throw new OrasException(answer.statusCode(), "the token service " + at + " answered HTTP "
          + answer.statusCode());
    }
    JsonNode body;
    try {
      body = JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new OrasException(502, "the token service " + at + " answered something that is not JSON");
    }
    String token = body.path("token").asText(body.path("access_token").asText(""));
    if (token.isEmpty()) {
      throw new OrasException(502, "the token service " + at + " answered no token");
    }
    long seconds = body.path("expires_in").asLong(DEFAULT_SECONDS);
    renewAt = asked.plusSeconds(Math.max(1, seconds - Math.min(30, seconds / 4)));
    return "Bearer " + token;
  }
}
