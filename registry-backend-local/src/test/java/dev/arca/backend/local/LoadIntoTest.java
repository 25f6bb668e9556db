package dev.arca.backend.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.IntegrityException;
import dev.arca.registry.MaterializerException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code loadInto} on a destination that already holds things: it never writes through a symbolic link below the
 * destination, a refused or failed load leaves no new file there, and loaded files get the modes a plain write
 * would.
 */
class LoadIntoTest extends LocalRegistryFixture {

  /** Saves a tree of {@code a.txt} and {@code sub/file} as {@code tree}. */
  private void saveTree() throws IOException {
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(tree.resolve("file"), "sub file");
    Files.writeString(dir.resolve("tree/a.txt"), "alpha");
    registry.save("tree", dir.resolve("tree"));
  }

  private static List<Path> regularFiles(Path under) throws IOException {
    try (Stream<Path> files = Files.walk(under)) {
      return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
  }

  @Test
  void loadInto_refusesToWriteThroughASymlinkBelowTheDestination_andWritesNothing() throws IOException {
    saveTree();
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Path dest = Files.createDirectories(dir.resolve("dest"));
    Files.createSymbolicLink(dest.resolve("sub"), elsewhere);

    assertThatThrownBy(() -> registry.loadInto("tree", dest)).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("symbolic link").hasMessageContaining("sub");

    assertThat(regularFiles(elsewhere)).as("nothing lands outside").isEmpty();
    assertThat(regularFiles(dest)).as("nothing new in the destination, not even a.txt").isEmpty();
    try (Stream<Path> entries = Files.list(dest)) {
      assertThat(entries).as("no staging left behind").containsExactly(dest.resolve("sub"));
    }
  }

  @Test
  void loadInto_refusesToReplaceASymlinkedFile() throws IOException {
    saveTree();
    Path victim = Files.writeString(dir.resolve("victim"), "keep");
    Path dest = Files.createDirectories(dir.resolve("dest"));
    Files.createSymbolicLink(dest.resolve("a.txt"), victim);

    assertThatThrownBy(() -> registry.loadInto("tree", dest)).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("symbolic link");

    assertThat(victim).hasContent("keep");
    assertThat(Files.isSymbolicLink(dest.resolve("a.txt"))).isTrue();
    assertThat(dest.resolve("sub")).doesNotExist();
  }

  @Test
  void loadInto_thatFailsVerificationPartWay_leavesTheDestinationAsItWas() throws IOException {
    saveTree();
    corruptStored("file"); // sub/file is read after a.txt
    Path dest = Files.createDirectories(dir.resolve("dest"));
    Files.writeString(dest.resolve("a.txt"), "old");

    assertThatThrownBy(() -> registry.loadInto("tree", dest)).isInstanceOf(IntegrityException.class);

    assertThat(dest.resolve("a.txt")).as("the old file is not replaced").hasContent("old");
    try (Stream<Path> entries = Files.list(dest)) {
      assertThat(entries).containsExactly(dest.resolve("a.txt"));
    }
  }

  @Test
  void loadInto_aMissingDestinationThatFails_isNotLeftBehind() throws IOException {
    saveTree();
    corruptStored("file");
    Path dest = dir.resolve("new/dest");

    assertThatThrownBy(() -> registry.loadInto("tree", dest)).isInstanceOf(IntegrityException.class);

    assertThat(dir.resolve("new")).doesNotExist();
  }

  @Test
  void loadInto_replacesFilesOfTheSameName_andKeepsTheOthers() throws IOException {
    saveTree();
    Path dest = dir.resolve("dest");
    Files.createDirectories(dest.resolve("sub"));
    Files.writeString(dest.resolve("sub/file"), "old");
    Files.writeString(dest.resolve("sub/mine"), "mine");

    assertThat(registry.loadInto("tree", dest)).isEqualTo(dest);

    assertThat(dest.resolve("sub/file")).hasContent("sub file");
    assertThat(dest.resolve("sub/mine")).hasContent("mine");
    assertThat(dest.resolve("a.txt")).hasContent("alpha");
    try (Stream<Path> entries = Files.list(dest)) {
      assertThat(entries).as("no staging left behind").containsExactlyInAnyOrder(dest.resolve("a.txt"),
          dest.resolve("sub"));
    }
  }

  @Test
  void loadInto_withProgress_reportsEveryByte() throws IOException {
    saveTree();
    List<Long> seen = new ArrayList<>();

    registry.loadInto("tree", dir.resolve("dest"), seen::add);

    assertThat(seen).isSorted().last().isEqualTo((long) "alpha".length() + "sub file".length());
  }

  @Test
  void loadFile_writesTheOneFileToAnExactPath_withProgress_andRefusesASymlinkThere() throws IOException {
    registry.save("blob", "raw".getBytes(UTF_8));
    List<Long> seen = new ArrayList<>();
    Path victim = Files.writeString(dir.resolve("victim"), "keep");
    Files.createSymbolicLink(dir.resolve("link"), victim);

    assertThat(registry.loadFile("blob", dir.resolve("out/exact.bin"), seen::add)).hasContent("raw");
    assertThat(registry.loadFile("blob", dir.resolve("out"), n -> { })).isEqualTo(dir.resolve("out/blob"));
    assertThatThrownBy(() -> registry.loadFile("blob", dir.resolve("link"), n -> { }))
        .isInstanceOf(MaterializerException.class).hasMessageContaining("symbolic link");

    assertThat(seen).last().isEqualTo(3L);
    assertThat(victim).hasContent("keep");
    assertThat(modes(dir.resolve("out/exact.bin"))).isEqualTo(modes(victim));
    try (Stream<Path> entries = Files.list(dir.resolve("out"))) {
      assertThat(entries).containsExactlyInAnyOrder(dir.resolve("out/exact.bin"), dir.resolve("out/blob"));
    }
  }

  @Test
  void loadedFilesAndDirectories_getTheModesOfAPlainWrite_underTheProcessUmask() throws IOException {
    saveTree();
    Path reference = dir.resolve("reference");
    try (OutputStream out = Files.newOutputStream(reference)) {
      out.write(1);
    }
    Path referenceDir = Files.createDirectory(dir.resolve("reference-dir"));

    Path dest = registry.loadInto("tree", dir.resolve("dest"));

    assertThat(modes(dest.resolve("a.txt"))).isEqualTo(modes(reference));
    assertThat(modes(dest.resolve("sub/file"))).isEqualTo(modes(reference));
    assertThat(modes(dest.resolve("sub"))).isEqualTo(modes(referenceDir));
    assertThat(modes(dest)).isEqualTo(modes(referenceDir));
  }

  static Set<PosixFilePermission> modes(Path p) throws IOException {
    return Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
  }

  /** Flips the stored bytes of the tree's file named {@code leaf}, keeping its size. */
  private void corruptStored(String leaf) throws IOException {
    Path stored = regularFiles(root.resolve("objects")).stream()
        .filter(p -> p.getFileName().toString().equals(leaf)).findFirst().orElseThrow();
    byte[] bytes = Files.readAllBytes(stored);
    bytes[0] ^= 1;
    Files.write(stored, bytes);
    assertThat(new String(bytes, UTF_8)).isNotEqualTo("sub file");
  }
}
