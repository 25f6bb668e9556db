package dev.arca.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arca.registry.Names;
import dev.arca.registry.ObjectKey;
import dev.arca.registry.Registry;
import dev.arca.registry.RegistryException;
import dev.arca.registry.Version;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.testkit.ForgedManifest;
import dev.arca.registry.testkit.InMemoryBlobStore;
import dev.arca.store.StoreConfig;
import dev.arca.store.StoreKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated hostile input, {@value #TRIES} cases per parser: each either parses to something valid or fails with
 * the documented exception type, never another (no NullPointerException, no Jackson exception, no
 * StringIndexOutOfBounds), and nothing a parser accepts can name a location outside its root.
 */
class HostileInputTest {

  static final int TRIES = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path scratch;
  private static Registry registry;
  private static InMemoryBlobStore store;
  private static String manifestKey;
  private static ObjectNode storedManifest;

  @BeforeContainer
  static void setUp() throws IOException {
    scratch = Files.createTempDirectory("arca-hostile-");
    store = InMemoryBlobStore.builder().build();
    registry = Registry.builder().blobStore(store).build();
    Path tree = Files.createDirectories(scratch.resolve("tree/sub"));
    Files.writeString(tree.resolve("a.txt"), "alpha");
    registry.save("victim@1.0.0", scratch.resolve("tree"));
    manifestKey = store.listAll("", false).blobs().stream().map(b -> b.key())
        .filter(k -> k.startsWith("meta/") && k.endsWith(".json")).findFirst().orElseThrow();
    storedManifest = (ObjectNode) JSON.readTree(store.get(manifestKey).orElseThrow().readAllAndClose());
  }

  @AfterContainer
  static void tearDown() throws IOException {
    registry.close();
    try (Stream<Path> files = Files.walk(scratch)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---- generators ------------------------------------------------------------------------------------------

  /** Strings biased toward what breaks parsers: separators, dots, escapes, controls, unicode, long runs. */
  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<String> pieces = Arbitraries.of("/", "\\", ".", "..", "../", "./", "@", "#", ":", "%", "%2e", "%2F",
        "~", "\0", "\n", " ", "a", "Z", "9", "_", "-", "v1", "1.0.2", "latest", "é", "\uD83D\uDE00", "C:", "//");
    Arbitrary<String> composed = pieces.list().ofMaxSize(40).map(l -> String.join("", l));
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(260);
    Arbitrary<String> longValid = Arbitraries.strings().withChars("abc._:-").ofMinLength(150).ofMaxLength(260);
    return Arbitraries.oneOf(composed, anyChars, longValid);
  }

  // ---- names, versions, keys, paths ------------------------------------------------------------------------

  @Property(tries = TRIES)
  void names_areValidOrRefusedWithIllegalArgument_andNeverEscapeAsAPathSegment(@ForAll("hostile") String s) {
    try {
      Names.requireName(s);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(s.length()).isBetween(1, Names.MAX_NAME_LENGTH);
    String segment = Names.encode(s);
    assertThat(segment).doesNotContain("/", "\\").isNotIn(".", "..");
    assertThat(Names.decode(segment)).isEqualTo(s);
  }

  @Property(tries = TRIES)
  void versions_areValidOrRefusedWithIllegalArgument_andRoundTrip(@ForAll("hostile") String s) {
    for (int digits = 1; digits <= 9; digits += 4) {
      Version v;
      try {
        v = Version.parse(s, digits);
      } catch (IllegalArgumentException refused) {
        continue;
      }
      assertThat(Version.parseCanonical(v.toString())).isEqualTo(v);
      assertThat(v.toString()).matches("[0-9]+(\\.[0-9]+)*");
    }
  }

  @Property(tries = TRIES)
  void objectKeys_areValidOrRefusedWithIllegalArgument(@ForAll("hostile") String s) {
    try {
      ObjectKey key = ObjectKey.parse(s);
      Names.requireName(key.name());
    } catch (IllegalArgumentException refused) {
      // the documented refusal
    }
  }

  @Property(tries = TRIES)
  void storeKeys_areValidOrRefusedWithStoreKeyFormatException(@ForAll("hostile") String s) {
    try {
      StoreKey.parse(s);
    } catch (dev.arca.store.StoreKeyFormatException refused) {
      // the documented refusal
    }
  }

  @Property(tries = TRIES)
  void filePaths_thatAreAccepted_stayInsideTheTarget(@ForAll("hostile") String s) {
    Path target = Path.of("/srv/arca/target");
    try {
      Names.requirePath(s);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(target.resolve(s).normalize().startsWith(target)).as(s).isTrue();
  }

  @Property(tries = TRIES)
  void blobKeys_thatAreAccepted_stayInsideTheRoot(@ForAll("hostile") String s) {
    Path root = Path.of("/srv/arca/root");
    try {
      BlobStore.requireKey(s);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(root.resolve(s).normalize().startsWith(root)).as(s).isTrue();
  }

  // ---- config files ----------------------------------------------------------------------------------------

  @Provide
  Arbitrary<String> configs() {
    String valid = """
        mounts:
          - name: staging
            uri: file:///tmp/staging
            default: true
          - name: prod
            uri: s3://bucket/models?region=eu-west-1
            readOnly: true
        """;
    return Combinators.combine(Arbitraries.integers().between(0, valid.length()),
        Arbitraries.integers().between(0, 20), hostile(), Arbitraries.of(".yaml", ".json"))
        .as((at, cut, insert, ext) -> ext + "\u0000" + valid.substring(0, at) + insert
            + valid.substring(Math.min(valid.length(), at + cut)));
  }

  @Property(tries = TRIES)
  void configFiles_parseOrFailWithIllegalArgument(@ForAll("configs") String generated) throws IOException {
    int split = generated.indexOf('\u0000');
    Path file = Files.write(scratch.resolve("config" + generated.substring(0, split)),
        generated.substring(split + 1).getBytes(UTF_8));
    try {
      StoreConfig.read(file);
    } catch (IllegalArgumentException refused) {
      // the documented refusal, naming the file and line
      assertThat(refused.getMessage()).isNotBlank();
    } catch (UncheckedIOException unreadable) {
      assertThat(unreadable).hasMessageContaining("cannot read store config");
    }
  }

  // ---- manifests read from storage -------------------------------------------------------------------------

  @Provide
  Arbitrary<byte[]> corruptedManifests() {
    byte[] valid = storedManifest.toString().getBytes(UTF_8);
    Arbitrary<byte[]> flipped = Combinators.combine(Arbitraries.integers().between(0, valid.length - 1),
        Arbitraries.integers().between(1, 255)).as((at, xor) -> {
          byte[] copy = valid.clone();
          copy[at] ^= xor.byteValue();
          return copy;
        });
    Arbitrary<byte[]> truncated = Arbitraries.integers().between(0, valid.length - 1)
        .map(n -> java.util.Arrays.copyOf(valid, n));
    Arbitrary<byte[]> typed = Arbitraries.of("{\"@class\":\"java.lang.ProcessBuilder\"}",
        "[\"java.lang.ProcessBuilder\",{\"command\":[\"touch\",\"/tmp/pwned\"]}]", "null", "[]", "\"str\"", "1e999",
        "{\"manifest\":null}").map(t -> t.getBytes(UTF_8));
    return Arbitraries.oneOf(flipped, truncated, typed);
  }

  @Property(tries = TRIES)
  void corruptedOrTruncatedManifests_failWithARegistryException(@ForAll("corruptedManifests") byte[] bytes)
      throws IOException {
    store.put(manifestKey, bytes, Condition.NONE);
    Path into = scratch.resolve("load-" + System.nanoTime());
    try {
      registry.loadInto("victim@1.0.0", into);
    } catch (RegistryException expected) {
      assertThat(expected.getMessage()).isNotBlank().contains("victim@1.0.0")
          .doesNotContain("com.fasterxml", "dev.arca.registry.internal", "StoredManifest", "Exception");
    }
  }

  @Provide
  Arbitrary<String> escapingPaths() {
    return Arbitraries.of("../../x", "../x", "/etc/passwd", "/abs", "a/../../b", "a/./b", "sub/../../../x", "..",
        ".", "a//b", "C:\\x", "a\\..\\b", "", "sub/\0x", "x/");
  }

  @Property(tries = 300)
  void aManifestListingAPathThatEscapes_isRefusedBeforeAnythingIsWritten(@ForAll("escapingPaths") String path)
      throws IOException {
    ObjectNode doc = storedManifest.deepCopy();
    ObjectNode manifest = ForgedManifest.manifestOf(doc);
    ArrayNode files = (ArrayNode) manifest.get("files");
    ((ObjectNode) files.get(0)).put("path", path);
    // A careful attacker recomputes the digest, so the path check itself must refuse it.
    manifest.put("digest", ForgedManifest.digestOf(manifest));
    store.put(manifestKey, JSON.writeValueAsBytes(doc), Condition.NONE);
    Path outside = scratch.resolve("outside-" + System.nanoTime());
    Path into = Files.createDirectories(outside.resolve("a/b/target"));

    assertThatThrownBy(() -> registry.loadInto("victim@1.0.0", into)).isInstanceOf(RegistryException.class);
    try (Stream<Path> written = Files.walk(outside)) {
      assertThat(written.filter(Files::isRegularFile).toList()).as("files written").isEmpty();
    }
  }
}
