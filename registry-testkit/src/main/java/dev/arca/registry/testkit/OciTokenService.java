package dev.arca.registry.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token server of the Docker registry token authentication (the bearer flow of GHCR and Docker Hub), for an
 * {@link OciRegistryServer} configured with {@code auth: token}: the registry answers 401 with {@code
 * WWW-Authenticate: Bearer realm=<this>/token,service=...,scope=...}; the client asks this service for a token
 * with the user's credentials (a GET with basic authentication, or the OAuth2 password grant as a POST); this
 * service answers a JWT granting the scopes asked for, signed with ES256 by a key whose self-signed certificate
 * the registry trusts (its {@code rootcertbundle}; the certificate also travels in the token's {@code x5c}).
 * Only {@link OciRegistryServer#USER} / {@link OciRegistryServer#PASSWORD} get a token.
 */
final class OciTokenService implements AutoCloseable {

  static final String SERVICE = "arca-test-registry";
  static final String ISSUER = "arca-test-token-service";
  private static final String STORE_PASSWORD = "arca-test-keystore";

  private final HttpServer server;
  private final PrivateKey key;
  private final String certificate;
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  /**
   * Starts the service on 127.0.0.1, with a new key pair whose certificate goes to {@code bundle}.
   *
   * @param dir where the key store is kept
   * @param bundle where the certificate is written (PEM), for the registry's {@code rootcertbundle}
   */
  OciTokenService(Path dir, Path bundle) throws Exception {
    Path store = dir.resolve("token-key.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    run(keytool.toString(), "-genkeypair", "-alias", "token", "-keyalg", "EC", "-groupname", "secp256r1",
        "-sigalg", "SHA256withECDSA", "-dname", "CN=" + ISSUER, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", STORE_PASSWORD);
    run(keytool.toString(), "-exportcert", "-rfc", "-alias", "token", "-keystore", store.toString(),
        "-storepass", STORE_PASSWORD, "-file", bundle.toString());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, STORE_PASSWORD.toCharArray());
    }
    key = (PrivateKey) keys.getKey("token", STORE_PASSWORD.toCharArray());
    Certificate cert = keys.getCertificate("token");
    certificate = Base64.getEncoder().encodeToString(cert.getEncoded());
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", this::token);
    server.start();
  }

  /** The realm the registry sends clients to. */
  String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** Tokens handed out so far. */
  int issued() {
    return issued.get();
  }

  /** Token requests refused so far (wrong or missing credentials). */
  int refused() {
    return refused.get();
  }

  private void token(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, List<String>> parameters = new LinkedHashMap<>();
      parse(exchange.getRequestURI().getRawQuery(), parameters);
      String user = null;
      String password = null;
      if (exchange.getRequestMethod().equals("POST")) {
        parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), parameters);
        if ("password".equals(first(parameters, "grant_type"))) {
          user = first(parameters, "username");
          password = first(parameters, "password");
        }
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (user == null && authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
        String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
            StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon >= 0) {
          user = decoded.substring(0, colon);
          password = decoded.substring(colon + 1);
        }
      }
      if (!OciRegistryServer.USER.equals(user) || !OciRegistryServer.PASSWORD.equals(password)
          || !SERVICE.equals(first(parameters, "service"))) {
        refused.incrementAndGet();
        respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
        return;
      }
      String token = sign(user, parameters.getOrDefault("scope", List.of()));
      issued.incrementAndGet();
      respond(exchange, 200, "{\"token\":\"" + token + "\",\"access_token\":\"" + token
          + "\",\"expires_in\":300,\"issued_at\":\"" + Instant.now() + "\"}");
    } catch (Exception e) {
      throw new IOException("the token service failed", e);
    }
  }

  /** A JWT granting every action each scope asks for ({@code type:name:actions}). */
  private String sign(String user, List<String> scopes) throws Exception {
    List<String> access = new ArrayList<>();
    for (String scope : scopes) {
      for (String one : scope.split(" ")) {
        int last = one.lastIndexOf(':');
        int first = one.indexOf(':');
        if (first < 0 || last == first) {
          continue;
        }
        StringBuilder actions = new StringBuilder();
        for (String action : one.substring(last + 1).split(",")) {
          actions.append(actions.isEmpty() ? "" : ",").append('"').append(action).append('"');
        }
        access.add("{\"type\":\"" + one.substring(0, first) + "\",\"name\":\"" + one.substring(first + 1, last)
            + "\",\"actions\":[" + actions + "]}");
      }
    }
    long now = Instant.now().getEpochSecond();
    String header = "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"" + certificate + "\"]}";
    String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + user + "\",\"aud\":\"" + SERVICE + "\",\"exp\":"
        + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID()
        + "\",\"access\":[" + String.join(",", access) + "]}";
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String signed = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
    es256.initSign(key);
    es256.update(signed.getBytes(StandardCharsets.US_ASCII));
    return signed + "." + url.encodeToString(es256.sign());
  }

  private static void parse(String encoded, Map<String, List<String>> into) {
    if (encoded == null || encoded.isEmpty()) {
      return;
    }
    for (String pair : encoded.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      into.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
  }

  private static String first(Map<String, List<String>> parameters, String name) {
    List<String> values = parameters.get(name);
    return values == null ? null : values.get(0);
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(command[1] + " failed: " + output);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
