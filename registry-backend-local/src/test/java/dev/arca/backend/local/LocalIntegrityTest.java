package dev.arca.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.IntegrityException;
import dev.arca.registry.Registry;
import dev.arca.registry.VerifyLevel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored bytes and manifests altered on disk are caught, with errors that name what is wrong. */
class LocalIntegrityTest {

  @TempDir Path root;
  private Registry registry;
  private Path manifest;

  @BeforeEach
  void save() {
    registry = Registry.open(root.toUri());
    registry.save("m", "the original text");
    manifest = root.resolve("meta/m/1.0.0.json");
  }

  private Path dataFile() throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve("objects/m"))) {
      return files.filter(p -> p.getFileName().toString().equals("text")).findFirst().orElseThrow();
    }
  }

  @Test
  void flippedByte_isAnIntegrityErrorNamingTheFile_underIntegrity() throws IOException {
    Path data = dataFile();
    byte[] bytes = Files.readAllBytes(data);
    bytes[3] ^= 0x01;
    Files.write(data, bytes);

    assertThatThrownBy(() -> registry.get("m")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("m@1.0.0 file 'text'").hasMessageContaining("corrupt");
    try (Registry trusting = Registry.builder().uri(root.toUri()).verify(VerifyLevel.NONE).build()) {
      assertThat(trusting.get("m")).as("NONE trusts the stored bytes")
          .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
    }
  }

  @Test
  void truncatedFile_isAnIntegrityError() throws IOException {
    Path data = dataFile();
    Files.write(data, "the orig".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> registry.get("m")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("8 bytes").hasMessageContaining("truncated");
  }

  @Test
  void truncatedManifest_isAClearError_notAParserTrace() throws IOException {
    byte[] json = Files.readAllBytes(manifest);
    Files.write(manifest, java.util.Arrays.copyOf(json, json.length / 2));

    assertThatThrownBy(() -> registry.info("m")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("manifest").hasMessageContaining("meta/m/1.0.0.json").hasMessageContaining("malformed")
        .hasMessageNotContaining("\n");
  }

  @Test
  void manifestListingAPathOutsideTheVersion_isRejectedBeforeAnythingIsWritten() throws IOException {
    String json = Files.readString(manifest).replace("\"path\":\"text\"", "\"path\":\"../../escape\"");
    Files.writeString(manifest, json);
    Path out = root.resolveSibling("loads");

    assertThatThrownBy(() -> registry.loadInto("m", out)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("invalid file path");
    assertThat(out).doesNotExist();
    assertThat(root.resolveSibling("escape")).doesNotExist();
  }

  @Test
  void editedMetadata_failsTheManifestDigest() throws IOException {
    String json = Files.readString(manifest).replace("\"metadata\":{}", "\"metadata\":{\"owner\":\"mallory\"}");
    Files.writeString(manifest, json);

    assertThatThrownBy(() -> registry.info("m")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("digest");
  }

  @Test
  void unknownUriOption_isRefusedNamingIt() {
    assertThatThrownBy(() -> Registry.open(java.net.URI.create(root.toUri() + "?fsink=false")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fsink=false");
  }
}
