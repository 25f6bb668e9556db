package dev.arca.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.ForgedManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arca get} in-process: every file it writes goes through the library's load, so a manifest forged by
 * whoever can write the storage cannot make it write outside the named target.
 */
class GetCommandTest {

  @TempDir Path dir;
  private Path root;

  record Result(int exit, String out, String err) {}

  @BeforeEach
  void saveAFileAndATree() throws IOException {
    root = dir.resolve("registry");
    Path file = Files.writeString(dir.resolve("weights.bin"), "weights");
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(tree.resolve("a.txt"), "a");
    try (Registry registry = Registry.open(root.toUri())) {
      registry.save("model", file);
      registry.save("data", dir.resolve("tree"));
      registry.save("blob", "raw".getBytes(UTF_8));
    }
  }

  private Result arca(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new java.util.ArrayList<>(List.of("--store", root.toUri().toString()));
    all.addAll(List.of(args));
    int exit = Arca.run(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8),
        all.toArray(String[]::new));
    return new Result(exit, out.toString(UTF_8), err.toString(UTF_8));
  }

  private static List<Path> regularFiles(Path under) throws IOException {
    try (Stream<Path> files = Files.walk(under)) {
      return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
  }

  @Test
  void aForgedFileNameThatClimbsOut_isRefused_andNothingIsWritten() throws IOException {
    ForgedManifest.rewrite(root, "model", "1.0.0", m -> ((ObjectNode) m.get("params")).put("fileName", "../../escaped.bin"));
    Path target = Files.createDirectories(dir.resolve("out/a/b"));

    Result get = arca("get", "model", "-o", target.toString());

    assertThat(get.exit()).as(get.err()).isEqualTo(Arca.ERROR);
    assertThat(get.err()).contains("model@1.0.0").contains("../../escaped.bin");
    assertThat(regularFiles(dir.resolve("out"))).isEmpty();
  }

  @Test
  void aForgedAbsoluteFileName_isRefused_andNothingIsWritten() throws IOException {
    Path outside = dir.resolve("absolute.bin");
    ForgedManifest.rewrite(root, "model", "1.0.0", m -> ((ObjectNode) m.get("params")).put("fileName", outside.toString()));
    Path target = Files.createDirectories(dir.resolve("out"));

    Result get = arca("get", "model", "-o", target.toString());

    assertThat(get.exit()).as(get.err()).isEqualTo(Arca.ERROR);
    assertThat(outside).doesNotExist();
    assertThat(regularFiles(target)).isEmpty();
  }

  @Test
  void aTreeThatWouldWriteThroughASymlink_isRefused() throws IOException {
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Path target = Files.createDirectories(dir.resolve("restored"));
    Files.createSymbolicLink(target.resolve("sub"), elsewhere);

    Result get = arca("get", "data", "-o", target.toString());

    assertThat(get.exit()).as(get.err()).isEqualTo(Arca.ERROR);
    assertThat(get.err()).contains("symbolic link");
    assertThat(regularFiles(elsewhere)).isEmpty();
  }

  @Test
  void get_writesAFileIntoADirectory_toAnExactPath_orATree() throws IOException {
    Path into = Files.createDirectories(dir.resolve("into"));

    assertThat(arca("get", "model", "-o", into.toString()).exit()).isZero();
    assertThat(arca("get", "model", "-o", dir.resolve("exact.bin").toString()).exit()).isZero();
    assertThat(arca("get", "blob", "-o", into.toString()).exit()).isZero();
    Result tree = arca("get", "data", "-o", dir.resolve("restored").toString(), "--json");

    assertThat(into.resolve("weights.bin")).hasContent("weights");
    assertThat(dir.resolve("exact.bin")).hasContent("weights");
    assertThat(into.resolve("blob")).hasContent("raw");
    assertThat(tree.exit()).as(tree.err()).isZero();
    assertThat(tree.out()).contains("\"bytes\" : 1");
    assertThat(dir.resolve("restored/sub/a.txt")).hasContent("a");
    assertThat(regularFiles(into)).as("no staging left behind").hasSize(2);
  }
}
