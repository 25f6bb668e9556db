package dev.arca.registry.testkit;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OCI distribution registry (Debian's {@code docker-registry}, distribution 2.8) as a child process on
 * 127.0.0.1 and a free port, storing in a temporary directory, with deletes enabled and optional authentication:
 * htpasswd (basic), or token (the bearer flow of GHCR and Docker Hub, with an {@link OciTokenService} beside it).
 * {@code .ci/run} installs the package; where it is missing the test fails in CI ({@code CI} set) and is skipped
 * elsewhere.
 */
public final class OciRegistryServer implements AutoCloseable {

  /** The binary the Debian package installs. */
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");

  /** The user the authenticated server accepts. */
  public static final String USER = "arca";

  /** That user's password. */
  public static final String PASSWORD = "arca-registry-secret";

  private final Path root;
  private final Process process;
  private final int port;
  private final boolean authenticated;
  private final @Nullable OciTokenService tokens;

  private enum Auth { NONE, HTPASSWD, TOKEN }

  private OciRegistryServer(Auth mode) throws Exception {
    requireBinary(BINARY, "docker-registry");
    this.authenticated = mode != Auth.NONE;
    this.root = Files.createTempDirectory("arca-oci-registry-");
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    String auth = "";
    if (mode == Auth.TOKEN) {
      Path bundle = root.resolve("token-root.crt");
      tokens = new OciTokenService(root, bundle);
      auth = "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + OciTokenService.SERVICE
          + "\n    issuer: " + OciTokenService.ISSUER + "\n    rootcertbundle: " + bundle + "\n";
    } else {
      tokens = null;
    }
    if (mode == Auth.HTPASSWD) {
      Process htpasswd = new ProcessBuilder("htpasswd", "-BbnC", "4", USER, PASSWORD).redirectErrorStream(true).start();
      String entry = new String(htpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (htpasswd.waitFor() != 0) {
        throw new IOException("htpasswd failed: " + entry);
      }
      Files.writeString(root.resolve("htpasswd"), entry + "\n");
      auth = "auth:\n  htpasswd:\n    realm: arca-test\n    path: " + root.resolve("htpasswd") + "\n";
    }
    Path config = Files.writeString(root.resolve("config.yml"), """
        version: 0.1
        log:
          level: error
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:%d
        """.formatted(root.resolve("data"), port) + auth);
    this.process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
        .redirectErrorStream(true).redirectOutput(root.resolve("registry.log").toFile()).start();
    awaitReady();
  }

  /**
   * Starts an anonymous registry.
   *
   * @return the running registry
   * @throws Exception when it cannot start
   */
  public static OciRegistryServer anonymous() throws Exception {
    return new OciRegistryServer(Auth.NONE);
  }

  /**
   * Starts a registry that requires {@link #USER} / {@link #PASSWORD} (htpasswd, basic authentication).
   *
   * @return the running registry
   * @throws Exception when it cannot start
   */
  public static OciRegistryServer withHtpasswd() throws Exception {
    return new OciRegistryServer(Auth.HTPASSWD);
  }

  /**
   * Starts a registry that requires a bearer token, which its token service hands to {@link #USER} /
   * {@link #PASSWORD} only (token authentication, as GHCR and Docker Hub use).
   *
   * @return the running registry
   * @throws Exception when it cannot start
   */
  public static OciRegistryServer withTokenAuth() throws Exception {
    return new OciRegistryServer(Auth.TOKEN);
  }

  /**
   * How many tokens the token service handed out.
   *
   * @return the count so far
   */
  public int tokensIssued() {
    return tokenService().issued();
  }

  /**
   * How many token requests the token service refused (wrong or missing credentials).
   *
   * @return the count so far
   */
  public int tokenRequestsRefused() {
    return tokenService().refused();
  }

  private OciTokenService tokenService() {
    if (tokens == null) {
      throw new IllegalStateException("this registry does not use token authentication");
    }
    return tokens;
  }

  /**
   * Fails in CI, skips elsewhere, when a binary a test needs is not installed.
   *
   * @param binary its path
   * @param debianPackage the package that installs it
   */
  public static void requireBinary(Path binary, String debianPackage) {
    if (Files.isExecutable(binary)) {
      return;
    }
    String message = binary + " is missing: apt-get install " + debianPackage + " (.ci/run does)";
    if (System.getenv("CI") != null) {
      throw new IllegalStateException(message);
    }
    Assumptions.abort(message);
  }

  /**
   * The registry's address, as OCI references name it.
   *
   * @return e.g. {@code 127.0.0.1:41234}
   */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /**
   * An arca URI for a fresh repository on this registry.
   *
   * @param repository e.g. {@code team/models}
   * @return {@code oci://127.0.0.1:PORT/REPO?allowHttp=true&create=true} plus the auth file when authenticated
   * @throws IOException when the auth file cannot be written
   */
  public URI uri(String repository) throws IOException {
    return URI.create("oci://" + host() + "/" + repository + "?allowHttp=true&create=true"
        + (authenticated ? "&authFile=" + authFile(USER, PASSWORD) : ""));
  }

  /**
   * Writes a Docker-style {@code config.json} holding credentials for this registry.
   *
   * @param user the user
   * @param password the password
   * @return its path
   * @throws IOException when it cannot be written
   */
  public Path authFile(String user, String password) throws IOException {
    String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    Path file = Files.createTempFile(root, "auth-", ".json");
    return Files.writeString(file, "{\"auths\":{\"" + host() + "\":{\"auth\":\"" + auth + "\"}}}");
  }

  /**
   * What the registry printed, for failure messages.
   *
   * @return its log
   * @throws IOException when it cannot be read
   */
  public String log() throws IOException {
    return Files.readString(root.resolve("registry.log"));
  }

  private void awaitReady() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    URI probe = URI.create("http://" + host() + "/v2/");
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited: " + log());
      }
      try {
        HttpURLConnection c = (HttpURLConnection) probe.toURL().openConnection();
        int status = c.getResponseCode();
        c.disconnect();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (IOException notYet) {
        if (Instant.now().isAfter(deadline)) {
          close();
          throw new IOException("docker-registry did not answer on " + probe + " within 20 s: " + log(), notYet);
        }
      }
      process.waitFor(20, TimeUnit.MILLISECONDS); // polls readiness: the port answers in under 0.1 s
    }
  }

  @Override
  public void close() throws IOException {
    if (tokens != null) {
      tokens.close();
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

}
