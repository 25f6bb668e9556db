package dev.arca.backend.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The credentials a Docker {@code config.json} holds for one registry, looked up as the Docker CLI does: the
 * helper {@code credHelpers} names for the host, else the {@code credsStore} helper, else the {@code auths} entry
 * for the host (base64 {@code user:password}, split at the first colon, or separate {@code username} and
 * {@code password}). A helper is {@code docker-credential-<name>} on the PATH, asked with {@code get} and the
 * host on its standard input; its "credentials not found" means anonymous, any other failure is an error. Docker
 * Hub's logins are stored under {@code https://index.docker.io/v1/}. Every part of the file is optional. Secrets
 * go into no message.
 *
 * <p>Arca reads the file itself: oras-java 0.7.0's reader fails with a NullPointerException on a file without
 * {@code auths} (as one holding only {@code credsStore} or {@code credHelpers} is) and refuses a password that
 * contains a colon.
 */
final class DockerCredentials {

  /** A user and password (or token) for basic authentication and the token exchange. */
  record Credential(String user, String password) {
    @Override
    public String toString() {
      return "Credential[user=" + user + "]";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HELPER_SECONDS = 60;
  /** The names Docker Hub goes by, and the one its logins are stored under. */
  private static final List<String> DOCKER_HUB = List.of("docker.io", "index.docker.io", "registry-1.docker.io");
  private static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

  private DockerCredentials() {}

  /**
   * Looks up the credentials for {@code host} in {@code config}.
   *
   * @param config a {@code config.json}
   * @param host the registry, as {@code host[:port]}
   * @return the credentials, or empty when the file has none for the host (anonymous access)
   * @throws IllegalArgumentException when the file is not valid, or a helper it names fails
   */
  static Optional<Credential> lookup(Path config, String host) {
    JsonNode root;
    try {
      root = JSON.readTree(config.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // not the parser's message: it quotes the text around the error, which may be a secret
      throw new IllegalArgumentException("the Docker config " + config + " is not valid JSON"
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), null);
    } catch (IOException e) {
      throw new IllegalArgumentException("the Docker config " + config + " cannot be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the Docker config " + config + " is not a JSON object");
    }
    String server = DOCKER_HUB.contains(host) ? DOCKER_HUB_SERVER : host;
    String helper = text(root.path("credHelpers").path(server));
    if (helper == null) {
      helper = text(root.path("credsStore"));
    }
    return helper != null ? fromHelper(helper, server, config) : fromAuths(root.path("auths"), server, config);
  }

  private static Optional<Credential> fromAuths(JsonNode auths, String host, Path config) {
    List<String> keys = host.contains("://") ? List.of(host)
        : List.of(host, "https://" + host, "http://" + host, "https://" + host + "/v1/", "https://" + host + "/v2/");
    for (String key : keys) {
      JsonNode entry = auths.path(key);
      if (!entry.isObject()) {
        continue;
      }
      String auth = text(entry.path("auth"));
      if (auth != null) {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("the Docker config " + config + " has an 'auth' for " + key
              + " that is not base64", null);
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("the Docker config " + config + " has an 'auth' for " + key
              + " that is not user:password");
        }
        return Optional.of(new Credential(decoded.substring(0, colon), decoded.substring(colon + 1)));
      }
      String user = text(entry.path("username"));
      String password = text(entry.path("password"));
      if (user != null && password != null) {
        return Optional.of(new Credential(user, password));
      }
    }
    return Optional.empty();
  }

  /** Runs {@code docker-credential-<name> get}; its answer is {@code {"Username": ..., "Secret": ...}}. */
  private static Optional<Credential> fromHelper(String name, String host, Path config) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("the Docker config " + config + " names the credential helper '" + name
          + "', which is not a helper name");
    }
    String binary = "docker-credential-" + name;
    Process process;
    try {
      process = new ProcessBuilder(binary, "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IllegalArgumentException("the Docker config " + config + " names the credential helper '" + name
          + "', but " + binary + " cannot be run (" + e.getMessage() + "): install it on the PATH, or log in"
          + " again", e);
    }
    try {
      CompletableFuture<byte[]> answer = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      try (OutputStream in = process.getOutputStream()) {
        in.write((host + "\n").getBytes(StandardCharsets.UTF_8));
      }
      byte[] output = answer.get(HELPER_SECONDS, TimeUnit.SECONDS);
      if (!process.waitFor(HELPER_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalArgumentException(binary + " did not finish within " + HELPER_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        if (new String(output, StandardCharsets.UTF_8).contains("credentials not found")) {
          return Optional.empty(); // what the helpers answer for a registry they hold nothing for: anonymous
        }
        throw new IllegalArgumentException(binary + " failed for " + host + " (exit " + process.exitValue()
            + "): run it by hand to see why, or log in again");
      }
      JsonNode json = JSON.readTree(output);
      String user = json == null ? null : text(json.path("Username"));
      String secret = json == null ? null : text(json.path("Secret"));
      if (user == null || secret == null) {
        throw new IllegalArgumentException(binary + " answered for " + host + " without Username and Secret");
      }
      if (user.equals("<token>")) {
        throw new IllegalArgumentException(binary + " answered an identity token for " + host + ", which Arca"
            + " does not exchange: set ARCA_OCI_USERNAME and ARCA_OCI_PASSWORD, or ARCA_OCI_TOKEN");
      }
      return Optional.of(new Credential(user, secret));
    } catch (IOException | ExecutionException | TimeoutException e) {
      throw new IllegalArgumentException(binary + " failed for " + host + ": "
          + (e instanceof TimeoutException ? "no answer within " + HELPER_SECONDS + " s" : "its answer could not"
          + " be read"), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalArgumentException(binary + " was interrupted", e);
    } finally {
      process.destroy();
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static @Nullable String text(JsonNode node) {
    return node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
  }
}
