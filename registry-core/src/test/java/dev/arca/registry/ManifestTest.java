package dev.arca.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.internal.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTest {

  private static final String SHA = "a".repeat(64);

  private static Manifest manifest(Map<String, String> metadata, List<FileEntry> files) {
    String digest = Manifest.computeDigest("java.lang.String", "arca.string", 1, Map.of(), metadata, files);
    return new Manifest(1, "m", Version.of(1, 0, 0), "java.lang.String", "arca.string", 1, Map.of(), metadata, files,
        digest, files.stream().mapToLong(FileEntry::size).sum(), "u", Instant.EPOCH, "me", List.of());
  }

  @Test
  void digest_isUnambiguous_whereFieldBoundariesMove() {
    String a = Manifest.computeDigest("c", "m", 1, Map.of(), Map.of("ab", "c"), List.of());
    String b = Manifest.computeDigest("c", "m", 1, Map.of(), Map.of("a", "bc"), List.of());
    String c = Manifest.computeDigest("c", "m", 1, Map.of("ab", "c"), Map.of(), List.of());
    String d = Manifest.computeDigest("c", "m", 1, Map.of(), Map.of(), List.of(new FileEntry("ab", 1, SHA)));
    String e = Manifest.computeDigest("c", "m", 1, Map.of(), Map.of(), List.of(new FileEntry("a", 1, SHA)));

    assertThat(List.of(a, b, c, d, e)).doesNotHaveDuplicates();
  }

  @Test
  void digest_coversMetadataAndFiles_notNameOrTime() {
    Manifest m = manifest(Map.of("k", "v"), List.of(new FileEntry("f", 3, SHA)));

    assertThat(m.digestMatches()).isTrue();
    assertThat(m.withCommit(Version.of(9, 9, 9), "other", Instant.now()).digestMatches()).isTrue();
    Manifest tampered = new Manifest(1, "m", m.version(), m.objectClass(), m.materializer(), 1, Map.of(),
        Map.of("k", "w"), m.files(), m.digest(), m.size(), "u", Instant.EPOCH, "me", List.of());
    assertThat(tampered.digestMatches()).isFalse();
  }

  @Test
  void files_areSorted_andDuplicatePathsRefused() {
    Manifest m = manifest(Map.of(), List.of(new FileEntry("b", 1, SHA), new FileEntry("a", 1, SHA)));

    assertThat(m.files()).extracting(FileEntry::path).containsExactly("a", "b");
    assertThatThrownBy(() -> manifest(Map.of(), List.of(new FileEntry("a", 1, SHA), new FileEntry("a", 2, SHA))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate file path 'a'");
  }

  @Test
  void json_roundTrips_andRejectsAHostilePath() {
    Manifest m = manifest(Map.of("k", "v"), List.of(new FileEntry("dir/f", 3, SHA)));
    byte[] json = Json.write(m);

    assertThat(Json.read(json, Manifest.class)).isEqualTo(m);
    byte[] hostile = new String(json, java.nio.charset.StandardCharsets.UTF_8).replace("dir/f", "../../etc/x")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Json.read(hostile, Manifest.class)).isInstanceOf(Json.MalformedDocumentException.class)
        .hasMessageContaining("invalid file path");
  }

  @Test
  void newerSchema_isRefusedWithTheFix() {
    assertThatThrownBy(() -> new Manifest(2, "m", Version.of(1), "c", "m", 1, Map.of(), Map.of(), List.of(), "d", 0,
        "u", Instant.EPOCH, "me", List.of())).hasMessageContaining("upgrade Arca");
  }
}
