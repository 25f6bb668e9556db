package dev.arca.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.testkit.GcsServer;
import dev.arca.registry.testkit.S3ProxyExtension;
import dev.arca.registry.testkit.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The real arca jar, run as a process through its launcher, against a local registry and an S3 server. */
class CliIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path LAUNCHER = Path.of(System.getProperty("arca.launcher", "bin/arca")).toAbsolutePath();
  @RegisterExtension
  static final S3ProxyExtension S3 = new S3ProxyExtension();

  @TempDir Path dir;
  private final Map<String, String> env = new HashMap<>();



  @BeforeEach
  void isolate() {
    env.put("ARCA_HOME", dir.resolve("home").toString());
    env.put("ARCA_CACHE", dir.resolve("cache").toString());
  }

  record Result(int exit, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(stdout);
      } catch (IOException e) {
        throw new UncheckedIOException("stdout is not JSON: " + out(), e);
      }
    }
  }

  private Result arca(byte[] stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    }
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("arca " + String.join(" ", args) + " finished").isTrue();
    return new Result(p.exitValue(), out.get(), new String(err.get(), UTF_8));
  }

  private Result arca(String... args) throws Exception {
    return arca(new byte[0], args);
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path randomFile(String name, int size, long seed) throws IOException {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return Files.write(dir.resolve(name), data);
  }

  @Test
  void everyCommand_onTheLocalRegistry_withJsonOutput() throws Exception {
    Path file = randomFile("weights.bin", 100_000, 1);
    Path tree = Files.createDirectories(dir.resolve("dataset/sub"));
    Files.writeString(tree.resolve("a.txt"), "a");
    Files.writeString(dir.resolve("dataset/b.txt"), "b");

    Result put = arca("put", "model", file.toString(), "--meta", "team=vision", "--json");
    assertThat(put.exit()).as(put.stderr()).isZero();
    assertThat(put.json().get("version").asText()).isEqualTo("1.0.0");
    assertThat(put.json().get("metadata").get("team").asText()).isEqualTo("vision");
    assertThat(arca("put", "model", file.toString()).out()).startsWith("saved model@1.0.1");
    assertThat(arca("put", "dataset", dir.resolve("dataset").toString()).exit()).isZero();

    JsonNode ls = arca("ls", "--json").json();
    assertThat(ls).hasSize(2);
    assertThat(ls.get(1).get("key").asText()).isEqualTo("local/model");
    assertThat(ls.get(1).get("latest").asText()).isEqualTo("1.0.1");
    assertThat(arca("versions", "model", "--json").json().toString()).isEqualTo("[\"1.0.0\",\"1.0.1\"]");
    JsonNode info = arca("info", "model@1.0.0", "--json").json();
    assertThat(info.get("files").get(0).get("size").asLong()).isEqualTo(100_000);
    assertThat(arca("info", "model").out()).contains("model@1.0.1", "arca.path", "sha256:");

    Result get = arca("get", "model@1.0.0", "-o", dir.resolve("out.bin").toString(), "--json");
    assertThat(get.json().get("bytes").asLong()).isEqualTo(100_000);
    assertThat(dir.resolve("out.bin")).hasSameBinaryContentAs(file);
    assertThat(arca("get", "model").exit()).as("default target: the saved file name").isZero();
    assertThat(dir.resolve("weights.bin")).hasSameBinaryContentAs(file);
    assertThat(arca("get", "dataset", "-o", dir.resolve("restored").toString()).exit()).isZero();
    assertThat(dir.resolve("restored/sub/a.txt")).hasContent("a");

    assertThat(arca("tag", "model@1.0.0", "prod", "--json").json().get("version").asText()).isEqualTo("1.0.0");
    assertThat(arca("get", "model#prod", "-o", "-").stdout()).isEqualTo(Files.readAllBytes(file));
    assertThat(arca("verify", "--json").json()).allMatch(r -> r.get("status").asText().equals("ok"));
    assertThat(arca("gc", "--json").json().get("local").get("applied").asBoolean()).isFalse();
    assertThat(arca("mounts", "--json").json().findValuesAsText("name")).containsExactly("temp", "local");
    assertThat(arca("rm", "model@1.0.0").exit()).isZero();
    assertThat(arca("versions", "model").out().trim()).isEqualTo("1.0.1");
    assertThat(arca("completion").out()).contains("complete").contains("arca");
    assertThat(arca("--version").out()).startsWith("arca ");
  }

  @Test
  void copy_betweenMountsOfAConfiguredStore() throws Exception {
    Path config = Files.writeString(dir.resolve("store.yaml"), """
        mounts:
          - name: staging
            uri: %s
            default: true
          - name: prod
            uri: %s
        """.formatted(dir.resolve("staging").toUri(), dir.resolve("prod").toUri()));
    randomFile("m.bin", 5000, 2);
    arca("--config", config.toString(), "put", "m", "m.bin");

    Result copy = arca("--config", config.toString(), "copy", "staging/m", "prod", "--json");
    Result again = arca("--config", config.toString(), "copy", "staging/m", "prod", "--json");

    assertThat(copy.exit()).as(copy.stderr()).isZero();
    assertThat(copy.json().get("copied").asBoolean()).isTrue();
    assertThat(again.json().get("copied").asBoolean()).isFalse();
    assertThat(arca("--config", config.toString(), "get", "prod/m", "-o", "-").stdout())
        .isEqualTo(Files.readAllBytes(dir.resolve("m.bin")));
  }

  @Test
  void put_unqualified_inAConfiguredStoreWithNoDefaultMount_failsNamingTheMounts() throws Exception {
    Path config = Files.writeString(dir.resolve("store.yaml"), """
        mounts:
          - name: staging
            uri: %s
          - name: prod
            uri: %s
        """.formatted(dir.resolve("staging").toUri(), dir.resolve("prod").toUri()));
    randomFile("f.bin", 100, 5);

    Result put = arca("--config", config.toString(), "put", "model", "f.bin");

    assertOneLine(put, 3, "no default mount");
    assertThat(put.stderr()).contains("[temp, staging, prod]", "staging/model");
    assertThat(put.out()).doesNotContain("saved");
    assertThat(arca("--config", config.toString(), "put", "staging/model", "f.bin").exit()).isZero();
  }

  @Test
  void gsStore_roundTripsThroughTheJar() throws Exception {
    try (GcsServer gcs = GcsServer.start()) {
      String store = "gs://" + gcs.createBucket() + "/cli?endpoint=" + gcs.endpoint() + "&credentials=none";
      Path file = randomFile("g.bin", 300_000, 4);

      Result put = arca("--store", store, "put", "g", file.toString());
      Result get = arca("--store", store, "get", "g", "-o", "-");

      assertThat(put.exit()).as(put.stderr()).isZero();
      assertThat(get.exit()).as(get.stderr()).isZero();
      assertThat(get.stdout()).isEqualTo(Files.readAllBytes(file));
    }
  }

  @Test
  void binaryThroughStdinAndStdout_isBitExact_andNothingButTheDataIsPrinted_onS3() throws Exception {
    env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
    String store = "s3://" + S3.server().createBucket() + "/cli?endpoint=" + S3.server().endpoint() + "&pathStyle=true";
    byte[] data = Files.readAllBytes(randomFile("blob.bin", 3_000_000, 3));

    Result put = arca(data, "--store", store, "put", "blob", "-");
    Result get = arca("--store", store, "get", "blob", "-o", "-");
    Result ls = arca("--store", store, "ls", "--json");

    assertThat(put.exit()).as(put.stderr()).isZero();
    assertThat(get.exit()).as(get.stderr()).isZero();
    assertThat(get.stdout()).isEqualTo(data);
    assertThat(get.stderr()).as("nothing but the data: no progress in a pipe").isEmpty();
    assertThat(ls.json().get(0).get("key").asText()).isEqualTo("main/blob");
  }

  @Test
  void verify_onS3_readsTheRemoteNotTheCache_reportsEveryVersion_andExits1() throws Exception {
    env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
    String bucket = S3.server().createBucket();
    String store = "s3://" + bucket + "/v?endpoint=" + S3.server().endpoint() + "&pathStyle=true";
    for (String name : List.of("bad", "gone", "good")) {
      Path file = Files.writeString(dir.resolve(name + ".txt"), "bytes of " + name);
      assertThat(arca("--store", store, "put", name, file.toString()).exit()).isZero();
      assertThat(arca("--store", store, "get", name, "-o", "-").exit()).as("loaded into the cache").isZero();
    }
    try (S3BlobStore s3 = S3BlobStore.builder().endpoint(S3.server().endpoint()).bucket(bucket).prefix("v")
        .pathStyle(true).credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build()) {
      s3.put(fileKey(s3, "bad"), "flipped!".getBytes(UTF_8), Condition.NONE);
      s3.delete(fileKey(s3, "gone"), Condition.NONE);
    }

    Result remote = arca("--store", store, "verify");
    Result cached = arca("--store", store, "verify", "--cached", "--json");
    Result one = arca("--store", store, "verify", "good");

    assertThat(remote.exit()).as(remote.stderr()).isEqualTo(1);
    assertThat(remote.out().lines().toList()).satisfiesExactly(
        line -> assertThat(line).startsWith("CORRUPT  main/bad@1.0.0: ").contains("bad.txt"),
        line -> assertThat(line).startsWith("MISSING  main/gone@1.0.0: ").contains("'gone.txt' is gone"),
        line -> assertThat(line).isEqualTo("ok       main/good@1.0.0 (1 files)"));
    assertThat(cached.exit()).as("the cache holds good copies of all three").isZero();
    assertThat(cached.json().findValuesAsText("status")).containsExactly("ok", "ok", "ok");
    assertThat(one.exit()).isZero();
  }

  private static String fileKey(S3BlobStore s3, String name) throws IOException {
    return s3.listAll("objects/" + name + "/", false).blobs().get(0).key();
  }

  @Test
  void badInput_isOneClearLine_withTheDocumentedExitCode() throws Exception {
    randomFile("f.bin", 10, 4);
    arca("put", "m", "f.bin");

    assertOneLine(arca("put", "nomount/m", "f.bin"), 3, "no mount named 'nomount'");
    assertOneLine(arca("get", "m@1_000"), 2, "invalid version '1_000'");
    assertOneLine(arca("put", "m", "missing.bin"), 3, "no such file: missing.bin");
    assertOneLine(arca("get", "absent"), 3, "absent is in none of the mounts");
    assertOneLine(arca("put", "m@1.0.0", "f.bin"), 4, "m@1.0.0 already exists");
    env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", "wrong-secret");
    String store = "s3://" + S3.server().createBucket() + "/p?endpoint=" + S3.server().endpoint() + "&pathStyle=true";
    Result denied = arca("--store", store, "ls");
    assertOneLine(denied, 1, "access denied");
    assertThat(denied.stderr()).doesNotContain("wrong-secret");
    assertThat(arca("--debug", "get", "absent").stderr()).as("--debug adds the trace").contains("\tat ");
  }

  private static void assertOneLine(Result r, int exit, String message) {
    assertThat(r.exit()).as(r.stderr()).isEqualTo(exit);
    assertThat(r.stderr()).startsWith("arca: ").contains(message);
    assertThat(r.stderr().strip().lines()).as("one line").hasSize(1);
  }

  @Test
  void inATerminal_a200MbUploadDrawsAProgressBar_andLeavesTheTerminalClean() throws Exception {
    boolean tmux = new ProcessBuilder("tmux", "-V").start().waitFor() == 0;
    assumeTrue(tmux || System.getenv("CI") != null, "tmux is not installed here (CI installs it)");
    randomFile("big.bin", 200 << 20, 5);
    Path log = dir.resolve("pane.log");
    String socket = "arca-it-" + ProcessHandle.current().pid();
    String command = "cd " + dir + " && ARCA_HOME=" + dir.resolve("home") + " " + LAUNCHER + " put big big.bin;"
        + " echo EXIT=$?; tmux -L " + socket + " wait-for -S done";
    try {
      tmux(socket, "new-session", "-d", "-x", "150", "-y", "20", "-s", "t", "bash --norc --noprofile");
      tmux(socket, "pipe-pane", "-t", "t", "cat >> " + log);
      tmux(socket, "send-keys", "-t", "t", command, "Enter");
      tmux(socket, "wait-for", "done");
      String screen = new String(tmuxOutput(socket, "capture-pane", "-p", "-t", "t"), UTF_8);
      String drawn = Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1);

      assertThat(screen).contains("saved big@1.0.0 (200.0 MiB").contains("EXIT=0");
      assertThat(drawn).as("a bar was drawn").contains("put big [=").contains("%").contains("MiB/s");
      assertThat(screen).as("and erased: the terminal is clean").doesNotContain("[=").doesNotContain("ETA");
    } finally {
      new ProcessBuilder("tmux", "-L", socket, "kill-server").start().waitFor();
    }
  }

  private static void tmux(String socket, String... args) throws Exception {
    tmuxOutput(socket, args);
  }

  private static byte[] tmuxOutput(String socket, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("tmux " + String.join(" ", args) + ": " + new String(out, UTF_8)).isZero();
    return out;
  }
}
