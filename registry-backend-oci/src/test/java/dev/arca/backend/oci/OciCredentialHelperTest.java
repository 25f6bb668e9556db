package dev.arca.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.testkit.ChildJvm;
import dev.arca.registry.testkit.OciRegistryServer;
import dev.arca.registry.testkit.RoundTripChild;
import dev.arca.registry.testkit.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials as Docker keeps them: {@code credHelpers} (a helper per registry) and {@code credsStore} (one for
 * all) in the {@code config.json} under {@code DOCKER_CONFIG}, each calling {@code docker-credential-<name> get}
 * found on the PATH. The helper here is a script that answers a fixed credential and records what it was asked;
 * the registry checks it (htpasswd). Each case runs in a child JVM, the only way to give the helper's lookup a
 * PATH of the test's choosing.
 */
class OciCredentialHelperTest {

  private static OciRegistryServer guarded;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    guarded = OciRegistryServer.withHtpasswd();
  }

  @AfterAll
  static void stop() throws Exception {
    if (guarded != null) {
      guarded.close();
    }
  }

  @Test
  void aHelperNamedForTheRegistryInCredHelpers_suppliesTheCredentials() throws Exception {
    Path bin = helper("arca-test", OciRegistryServer.PASSWORD);
    Path config = dockerConfig("{\"credHelpers\":{\"" + guarded.host() + "\":\"arca-test\"}}");

    Child child = roundTrip(bin, config, "helpers/per-registry");

    assertThat(child.exit).as("child exit code; output: " + child.output).isZero();
    assertThat(Files.readString(bin.resolve("asked"))).as("what the helper was asked")
        .contains("get " + guarded.host());
  }

  @Test
  void aCredsStoreForEveryRegistry_suppliesTheCredentials() throws Exception {
    Path bin = helper("arca-store", OciRegistryServer.PASSWORD);
    Path config = dockerConfig("{\"credsStore\":\"arca-store\"}");

    Child child = roundTrip(bin, config, "helpers/store");

    assertThat(child.exit).as("child exit code; output: " + child.output).isZero();
    assertThat(Files.readString(bin.resolve("asked"))).as("what the helper was asked")
        .contains("get " + guarded.host());
  }

  @Test
  void aHelperWhoseCredentialsTheRegistryRefuses_failsTheOpen_withoutShowingTheSecret() throws Exception {
    String wrong = "helper-secret-never-shown-51c2";
    Path bin = helper("arca-wrong", wrong);
    Path config = dockerConfig("{\"credHelpers\":{\"" + guarded.host() + "\":\"arca-wrong\"}}");

    Child child = roundTrip(bin, config, "helpers/refused");

    assertThat(child.exit).as("the refused credentials fail the child; output: " + child.output).isNotZero();
    assertThat(child.output).contains("401").doesNotContain(wrong);
  }

  @Test
  void aHelperThatHoldsNothingForTheRegistry_meansAnonymous() throws Exception {
    Path bin = script("arca-empty", "echo 'credentials not found in native keychain'\nexit 1\n");
    Path config = dockerConfig("{\"credsStore\":\"arca-empty\"}");

    Child child = roundTrip(bin, config, "helpers/empty");

    assertThat(child.exit).as("anonymous is refused by this registry; output: " + child.output).isNotZero();
    assertThat(child.output).contains("401").doesNotContain("arca-empty failed");
  }

  @Test
  void aHelperThatFails_failsTheOpen_namingTheHelper() throws Exception {
    Path bin = script("arca-broken", "echo 'keychain locked' >&2\nexit 3\n");
    Path config = dockerConfig("{\"credsStore\":\"arca-broken\"}");

    Child child = roundTrip(bin, config, "helpers/broken");

    assertThat(child.exit).as("child exit code; output: " + child.output).isNotZero();
    assertThat(child.output).contains("docker-credential-arca-broken failed for " + guarded.host() + " (exit 3)");
  }

  /** A {@code docker-credential-<name>} script answering {@code get} with the test user and {@code secret}. */
  private Path helper(String name, String secret) throws Exception {
    return script(name, "[ \"$1\" = get ] || exit 1\n"
        + "printf '{\"ServerURL\":\"%s\",\"Username\":\"" + OciRegistryServer.USER + "\",\"Secret\":\"" + secret
        + "\"}' \"$server\"\n");
  }

  /** A {@code docker-credential-<name>} script that records what it was asked, then runs {@code body}. */
  private Path script(String name, String body) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path script = bin.resolve("docker-credential-" + name);
    Files.writeString(script, "#!/bin/sh\n"
        + "read -r server\n"
        + "echo \"$1 $server\" >> '" + bin.resolve("asked") + "'\n"
        + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  private Path dockerConfig(String json) throws Exception {
    Path config = Files.createDirectories(dir.resolve("docker"));
    Files.writeString(config.resolve("config.json"), json);
    return config;
  }

  private record Child(int exit, String output) {}

  /**
   * Saves and loads a file through {@code oci://} with no credentials but the Docker config's, in a child JVM
   * whose standard output and error are both captured.
   */
  private Child roundTrip(Path bin, Path dockerConfig, String repository) throws Exception {
    Path file = dir.resolve("model.bin");
    TestFiles.random(file, 1, 7);
    String uri = "oci://" + guarded.host() + "/" + repository + "?allowHttp=true&create=true";
    ProcessBuilder builder = new ProcessBuilder(ChildJvm.javaBinary(), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), RoundTripChild.class.getName(), uri, file.toString(),
        dir.resolve("loaded").toString()).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> name.startsWith("ARCA_OCI_"));
    environment.put("PATH", bin + ":" + System.getenv("PATH"));
    environment.put("DOCKER_CONFIG", dockerConfig.toString());
    environment.put("ARCA_HOME", dir.resolve("home").toString());
    environment.put("ARCA_CACHE", dir.resolve("cache").toString());
    Process child = builder.start();
    child.getOutputStream().close();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("child finished").isTrue();
    return new Child(child.exitValue(), output);
  }
}
