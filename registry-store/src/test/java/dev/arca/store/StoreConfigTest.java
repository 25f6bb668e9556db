package dev.arca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.ReadOnlyRegistryException;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.S3ProxyExtension;
import dev.arca.registry.testkit.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Mount configuration files, good and bad. */
class StoreConfigTest {

  @RegisterExtension
  static final S3ProxyExtension S3 = new S3ProxyExtension();

  @TempDir Path dir;

  @BeforeAll
  static void setCredentials() {
    // The S3 mount's credentials come from the standard chain, never the file: here, its system properties.
    System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
  }

  @AfterAll
  static void clearCredentials() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void yaml_opensLocalAndS3Mounts_withReadOnlyAndDefaultFlags() throws IOException {
    String bucket = S3.server().createBucket();
    try (Registry shared = Registry.open(dir.resolve("shared").toUri())) {
      shared.put("published", "by another team");
    }
    Path config = write("store.yaml", """
        # mounts of the vision team
        mounts:
          - name: models
            uri: s3://%s/models?endpoint=%s&pathStyle=true
            default: true
          - name: shared
            uri: %s
            readOnly: true
        """.formatted(bucket, S3.server().endpoint(), dir.resolve("shared").toUri()));

    try (Store store = Store.open(config)) {
      store.save("m", "in s3");

      assertThat(store.names()).containsExactly("models/m", "shared/published");
      assertThat(store.mounts()).extracting(Store.MountInfo::name).containsExactly("temp", "models", "shared");
      assertThat(store.mounts()).filteredOn(Store.MountInfo::readOnly).extracting(Store.MountInfo::name)
          .containsExactly("shared");
      assertThat(store.defaultMount()).contains("models");
      assertThatThrownBy(() -> store.save("shared/x", 1)).isInstanceOf(ReadOnlyMountException.class);
      assertThat(store.get("shared/published")).isEqualTo("by another team");
      assertThatThrownBy(() -> store.registry("shared").put("x", 1)).as("the mount's registry is read-only too")
          .isInstanceOf(ReadOnlyRegistryException.class).hasMessageContaining(dir.resolve("shared").toString());
    }
  }

  @Test
  void aReadOnlyMount_whereNoRegistryIs_failsTheOpenNamingTheLocation_andCreatesNothing() throws IOException {
    Path mistyped = dir.resolve("shraed");
    Path config = write("store.yaml", """
        mounts:
          - name: shared
            uri: %s
            readOnly: true
        """.formatted(mistyped.toUri()));

    assertThatThrownBy(() -> Store.open(config)).hasMessageContaining("mount 'shared'")
        .hasMessageContaining("no registry at file://" + mistyped);
    assertThat(mistyped).doesNotExist();
  }

  @Test
  void json_isReadToo() throws IOException {
    Path config = write("store.json", """
        {"mounts": [{"name": "local", "uri": "%s", "default": true}]}
        """.formatted(dir.resolve("local").toUri()));

    try (Store store = Store.open(config)) {
      store.save("m", 1);
      assertThat(store.names()).containsExactly("local/m");
    }
  }

  @Test
  void aSecretInTheFile_isRefused_pointingAtItsLine() throws IOException {
    Path config = write("store.yaml", """
        mounts:
          - name: models
            uri: s3://bucket/models
            secretAccessKey: abc123
        """);

    assertThatThrownBy(() -> Store.open(config)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("store.yaml line 4").hasMessageContaining("looks like a secret")
        .hasMessageNotContaining("abc123");
  }

  @Test
  void secretsInTheUri_areRefused() throws IOException {
    Path userInfo = write("a.yaml", "mounts:\n  - name: m\n    uri: s3://key:hunter2@bucket/p\n");
    Path query = write("b.yaml", "mounts:\n  - name: m\n    uri: s3://bucket/p?secretKey=hunter2\n");

    assertThatThrownBy(() -> Store.open(userInfo)).hasMessageContaining("a.yaml line 3")
        .hasMessageContaining("credentials").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> Store.open(query)).hasMessageContaining("b.yaml line 3")
        .hasMessageContaining("looks like a secret").hasMessageNotContaining("hunter2");
  }

  @Test
  void badEntries_nameTheLineAndTheProblem() throws IOException {
    Path unknown = write("u.yaml", "mounts:\n  - name: m\n    uri: file:///tmp/x\n    readonly: true\n");
    Path badName = write("n.yaml", "mounts:\n  - name: m/x\n    uri: file:///tmp/x\n");
    Path noUri = write("r.yaml", "mounts:\n  - name: m\n    readOnly: true\n");
    Path twice = write("t.yaml", "mounts:\n  - {name: m, uri: 'file:///a'}\n  - {name: m, uri: 'file:///b'}\n");
    Path broken = write("y.yaml", "mounts:\n  - name: m\n    uri: \"file:///unterminated\n");
    Path noMounts = write("e.json", "{}");

    assertThatThrownBy(() -> Store.open(unknown)).hasMessageContaining("u.yaml line 4")
        .hasMessageContaining("unknown setting 'readonly'").hasMessageContaining("readOnly");
    assertThatThrownBy(() -> Store.open(badName)).hasMessageContaining("n.yaml line")
        .hasMessageContaining("a mount name is");
    assertThatThrownBy(() -> Store.open(noUri)).hasMessageContaining("r.yaml line")
        .hasMessageContaining("needs a uri");
    assertThatThrownBy(() -> Store.open(twice)).hasMessageContaining("named twice");
    assertThatThrownBy(() -> Store.open(broken)).hasMessageContaining("y.yaml line ")
        .hasMessageContaining("quoted scalar");
    assertThatThrownBy(() -> Store.open(noMounts)).hasMessageContaining("no 'mounts' list");
  }

  @Test
  void anUnreachableMount_namesTheMount() throws IOException {
    Path config = write("s.yaml", "mounts:\n  - name: far\n    uri: s3://b/p?endpoint=http://127.0.0.1:1&maxAttempts=1\n");

    assertThatThrownBy(() -> Store.open(config)).hasMessageContaining("mount 'far'")
        .hasMessageContaining("cannot reach");
  }
}
