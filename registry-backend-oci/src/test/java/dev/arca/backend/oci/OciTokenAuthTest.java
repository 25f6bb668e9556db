package dev.arca.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.arca.registry.Registry;
import dev.arca.registry.testkit.OciRegistryServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token authentication, the bearer flow GHCR and Docker Hub use, against docker-registry configured with
 * {@code auth: token} and the testkit's token service: the registry refuses a request with 401 naming the token
 * realm, the client exchanges the user's credentials there for a token granting the request's scope, and sends
 * the token.
 */
class OciTokenAuthTest {

  private static OciRegistryServer server;

  @BeforeAll
  static void start() throws Exception {
    server = OciRegistryServer.withTokenAuth();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static String freshRepository() {
    return "token/t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @Test
  void withTheUsersCredentials_everyOperationRunsOnTokensTheTokenServiceIssued() throws Exception {
    int before = server.tokensIssued();
    int refusedBefore = server.tokenRequestsRefused();
    try (Registry registry = Registry.builder().uri(server.uri(freshRepository())).noCache().build()) {
      registry.save("model", "weights");
      registry.save("model", "better weights");
      registry.tag("model@1.0.1", "prod");

      assertThat(registry.get("model#prod", String.class)).isEqualTo("better weights");
      assertThat(registry.versions("model")).hasSize(2);
      registry.delete("model@1.0.0");
      assertThat(registry.versions("model")).hasSize(1);
    }
    assertThat(server.tokensIssued()).as("tokens issued").isGreaterThan(before);
    assertThat(server.tokenRequestsRefused()).as("token requests refused").isEqualTo(refusedBefore);
  }

  @Test
  void aWrongPassword_isRefusedByTheTokenService_andTheErrorDoesNotShowIt() throws Exception {
    String wrong = "token-secret-never-shown-7d41";
    int refusedBefore = server.tokenRequestsRefused();
    URI uri = URI.create("oci://" + server.host() + "/" + freshRepository() + "?allowHttp=true&create=true&authFile="
        + server.authFile(OciRegistryServer.USER, wrong));

    Throwable failure = catchThrowable(() -> {
      try (Registry registry = Registry.builder().uri(uri).noCache().build()) {
        registry.save("model", "weights");
      }
    });

    assertThat(failure).as("the save with a wrong password").isNotNull();
    StringWriter printed = new StringWriter();
    failure.printStackTrace(new PrintWriter(printed));
    assertThat(printed.toString()).doesNotContain(wrong);
    assertThat(server.tokenRequestsRefused()).as("token requests refused").isGreaterThan(refusedBefore);
  }
}
