package dev.arca.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.Registry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code arca --read-only}: reads work, nothing is ever written, and a location with no registry fails. */
class ReadOnlyOptionTest {

  @TempDir Path dir;

  record Result(int exit, String out, String err) {}

  private static Result arca(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Arca.run(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), args);
    return new Result(exit, out.toString(UTF_8), err.toString(UTF_8));
  }

  /** Every path under {@code root} with its size and modification time: what any write would change. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        files.put(root.relativize(p).toString(), Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return files;
  }

  @Test
  void readsWork_andEveryWriteFailsAsReadOnly_leavingTheRegistryUnchanged() throws IOException {
    Path root = dir.resolve("registry");
    try (Registry registry = Registry.open(root.toUri())) {
      registry.save("blob", "raw".getBytes(UTF_8));
    }
    Files.writeString(dir.resolve("input.txt"), "new");
    Map<String, String> before = snapshot(root);
    String store = root.toUri().toString();

    Result list = arca("--store", store, "--read-only", "ls");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("blob");
    Result get = arca("--store", store, "--read-only", "get", "blob", "-o", dir.resolve("out.bin").toString());
    assertThat(get.exit()).as(get.err()).isZero();
    assertThat(dir.resolve("out.bin")).hasContent("raw");

    for (List<String> write : List.of(List.of("put", "other", dir.resolve("input.txt").toString()),
        List.of("rm", "blob"), List.of("tag", "blob", "prod"), List.of("gc", "--apply", "--mount", "main"))) {
      List<String> args = new java.util.ArrayList<>(List.of("--store", store, "--read-only"));
      args.addAll(write);
      Result refused = arca(args.toArray(String[]::new));
      assertThat(refused.exit()).as(write + ": " + refused.err()).isEqualTo(Arca.ERROR);
      assertThat(refused.err()).as(write.toString()).contains("read-only");
    }
    assertThat(snapshot(root)).as("the registry after the refused writes").isEqualTo(before);
  }

  @Test
  void aLocationHoldingNoRegistry_failsNamingIt_andIsNotCreated() {
    Path missing = dir.resolve("mistyped");

    Result r = arca("--store", missing.toUri().toString(), "--read-only", "ls");

    assertThat(r.exit()).as(r.err()).isEqualTo(Arca.NOT_FOUND);
    assertThat(r.err()).contains(missing.toString());
    assertThat(missing).doesNotExist();
  }

  @Test
  void withAConfigFile_isAUsageErrorPointingToTheMountSetting() throws IOException {
    Path config = Files.writeString(dir.resolve("store.yaml"), "mounts: {}\n");

    Result r = arca("--config", config.toString(), "--read-only", "ls");

    assertThat(r.exit()).isEqualTo(Arca.USAGE);
    assertThat(r.err()).contains("readOnly: true");
  }
}
