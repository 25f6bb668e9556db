package dev.arca.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a Docker {@code config.json} is read: the parts that need no registry (the helpers are in OciCredentialHelperTest). */
class DockerCredentialsTest {

  private static final String HOST = "registry.example.com:5000";

  @TempDir Path dir;

  private Path config(String json) throws Exception {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  private static String auth(String userAndPassword) {
    return Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anAuthEntry_isSplitAtItsFirstColon_soAPasswordMayHoldColons() throws Exception {
    Path config = config("{\"auths\":{\"" + HOST + "\":{\"auth\":\"" + auth("ci:pa:ss:word") + "\"}}}");

    assertThat(DockerCredentials.lookup(config, HOST))
        .contains(new DockerCredentials.Credential("ci", "pa:ss:word"));
  }

  @Test
  void anEntryUnderTheHostsUrl_orWithSeparateFields_isFound() throws Exception {
    Path config = config("{\"auths\":{\"https://" + HOST + "\":{\"username\":\"u\",\"password\":\"p\"}}}");

    assertThat(DockerCredentials.lookup(config, HOST)).contains(new DockerCredentials.Credential("u", "p"));
  }

  @Test
  void aFileWithoutAnEntryOrHelperForTheHost_meansAnonymous() throws Exception {
    assertThat(DockerCredentials.lookup(config("{}"), HOST)).isEmpty();
    assertThat(DockerCredentials.lookup(config("{\"auths\":{\"other.example.com\":{\"auth\":\"" + auth("a:b")
        + "\"}},\"credHelpers\":{\"other.example.com\":\"x\"}}"), HOST)).isEmpty();
  }

  @Test
  void aConfiguredHelper_isAskedBeforeAnAuthsEntry_asDockerDoes() throws Exception {
    Path config = config("{\"auths\":{\"" + HOST + "\":{\"auth\":\"" + auth("stale:entry")
        + "\"}},\"credsStore\":\"arca-missing-helper\"}");

    assertThatThrownBy(() -> DockerCredentials.lookup(config, HOST)).as("the helper, not the entry, answers")
        .hasMessageContaining("docker-credential-arca-missing-helper");
  }

  @Test
  void dockerHubsLogins_areFoundUnderTheIndexUrlTheyAreStoredAt() throws Exception {
    Path config = config("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub:pw") + "\"}}}");

    assertThat(DockerCredentials.lookup(config, "docker.io")).contains(new DockerCredentials.Credential("hub", "pw"));
  }

  @Test
  void aHelperThatIsNotInstalled_isAnErrorNamingIt() throws Exception {
    Path config = config("{\"credsStore\":\"arca-missing-helper\"}");

    assertThatThrownBy(() -> DockerCredentials.lookup(config, HOST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("docker-credential-arca-missing-helper cannot be run")
        .hasMessageContaining(config.toString());
  }

  @Test
  void aHelperNameThatIsAPath_isRefused() throws Exception {
    Path config = config("{\"credHelpers\":{\"" + HOST + "\":\"../../bin/sh\"}}");

    assertThatThrownBy(() -> DockerCredentials.lookup(config, HOST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a helper name");
  }

  @Test
  void aFileThatIsNotJson_isAnErrorThatQuotesNoneOfIt() throws Exception {
    String secret = "s3cret-in-a-broken-file";
    Path config = config("{\"auths\":{\"" + HOST + "\":{\"password\":\"" + secret + "\" \"username\"");

    assertThatThrownBy(() -> DockerCredentials.lookup(config, HOST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not valid JSON")
        .hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
  }

  @Test
  void aCredentialPrintsItsUserOnly() {
    assertThat(new DockerCredentials.Credential("u", "the-password").toString()).doesNotContain("the-password");
  }
}
