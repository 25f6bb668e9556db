package dev.arca.backend.oci;

import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BackendProvider;
import dev.arca.registry.spi.UriOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import land.oras.ContainerRef;
import land.oras.Registry;
import land.oras.auth.AuthProvider;
import land.oras.auth.NoAuthProvider;
import land.oras.exception.OrasException;
import org.jspecify.annotations.Nullable;

/**
 * Opens {@code oci://host[:port]/path/to/repository[?options]} registries: one OCI repository per registry.
 * Options: {@code allowHttp=true} (plain HTTP instead of TLS, for a local registry), {@code create=true} (start
 * a registry in a repository that does not exist yet; without it an unknown repository is an error, so a typo
 * never creates one), {@code authFile} (a Docker/ORAS {@code config.json}).
 *
 * <p>Credentials, never from the URI: {@code ARCA_OCI_USERNAME} and {@code ARCA_OCI_PASSWORD} (basic, or
 * exchanged for a bearer token as GHCR and Docker Hub do; a personal access token goes in the password), else
 * {@code ARCA_OCI_TOKEN} (a bearer token), else the {@code authFile} option, else the Docker config written by
 * {@code docker login} / {@code oras login} ({@code $DOCKER_CONFIG/config.json}, else
 * {@code ~/.docker/config.json}) when there is one: the credential helper its {@code credHelpers} names for the
 * host, else its {@code credsStore} helper, else its {@code auths} entry for the host (see
 * {@link DockerCredentials}); else anonymous.
 */
public final class OciBackendProvider implements BackendProvider {

  private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
      + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

  /** For ServiceLoader. */
  public OciBackendProvider() {}

  @Override
  public String scheme() {
    return "oci";
  }

  @Override
  public Backend open(URI uri, BackendContext context) throws IOException {
    return open(uri, context, System.getenv());
  }

  static Backend open(URI uri, BackendContext context, Map<String, String> env) throws IOException {
    UriOptions.refuseCredentials(uri, "use ARCA_OCI_USERNAME / ARCA_OCI_PASSWORD or docker login");
    String host = uri.getAuthority();
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
    if (host == null || host.isEmpty() || path.isEmpty()) {
      throw new IllegalArgumentException("oci URI '" + uri + "' needs a host and a repository:"
          + " oci://registry.example.com/team/models");
    }
    if (!REPOSITORY.matcher(path).matches()) {
      throw new IllegalArgumentException("'" + path + "' is not an OCI repository name: lowercase letters, digits"
          + " and single separators (. _ __ -) in '/'-separated components");
    }
    boolean allowHttp = false;
    boolean create = false;
    Path authFile = null;
    for (Map.Entry<String, String> option : UriOptions.of(uri).entrySet()) {
      String value = option.getValue();
      switch (option.getKey()) {
        case "allowHttp" -> allowHttp = UriOptions.bool(option.getKey(), value);
        case "create" -> create = UriOptions.bool(option.getKey(), value);
        case "authFile" -> authFile = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option '" + option.getKey() + "' in oci URI; known:"
            + " allowHttp, create, authFile");
      }
    }
    String where = (allowHttp ? "http://" : "https://") + host + "/" + path;
    Registry.Builder builder = Registry.builder().withRegistry(host).withInsecure(allowHttp);
    credentials(builder, host, path, allowHttp, env, authFile);
    Registry registry = builder.build();
    ContainerRef repository = ContainerRef.parse(host + "/" + path).forRegistry(registry);
    OciFailures failures = new OciFailures(where);
    checkRepository(registry, repository, create, failures);
    return new OciBackend(registry, repository, context, failures);
  }

  private static void credentials(Registry.Builder builder, String host, String path, boolean allowHttp,
      Map<String, String> env, @Nullable Path authFile) {
    String user = env.get("ARCA_OCI_USERNAME");
    String password = env.get("ARCA_OCI_PASSWORD");
    String token = env.get("ARCA_OCI_TOKEN");
    if (user != null && password != null) {
      builder.withAuthProvider(new TokenExchange(host, path, user, password, allowHttp));
      return;
    }
    if (token != null) {
      builder.withAuthToken(token);
      return;
    }
    if (authFile != null && !Files.isReadable(authFile)) {
      throw new IllegalArgumentException("authFile " + authFile + " is not a readable file");
    }
    Path config = authFile != null ? authFile : dockerConfig(env);
    Optional<DockerCredentials.Credential> stored = config != null
        ? DockerCredentials.lookup(config, host) : Optional.empty();
    builder.withAuthProvider(stored.<AuthProvider>map(c -> new TokenExchange(host, path, c.user(), c.password(),
        allowHttp)).orElseGet(NoAuthProvider::new));
  }

  private static @Nullable Path dockerConfig(Map<String, String> env) {
    String dir = env.get("DOCKER_CONFIG");
    Path config = dir != null ? Path.of(dir, "config.json")
        : Path.of(System.getProperty("user.home"), ".docker", "config.json");
    return Files.isReadable(config) ? config : null;
  }

  /** Lists the repository's tags: an unknown repository is an error unless {@code create} was asked. */
  private static void checkRepository(Registry registry, ContainerRef repository, boolean create,
      OciFailures failures) {
    try {
      OciBackend.retrying(() -> registry.getTags(repository));
    } catch (OrasException e) {
      if (OciFailures.status(e) == 404 && !create) {
        throw failures.unknownRepository();
      }
      if (OciFailures.status(e) != 404) {
        throw failures.failure("GET tags", null, e);
      }
    } catch (RuntimeException e) {
      throw failures.failure("GET tags", null, e);
    }
  }
}
