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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generated hostile input, {@value #TRIES} cases per parser: each either parses to something valid or fails with
 * the documented exception type, never another (no NullPointerException, no Jackson exception, no
 * StringIndexOutOfBounds), and nothing a parser accepts can name a location outside its root.
 *
 * <p>Every test draws its cases from a {@link SplittableRandom} with a fixed seed, printed when it starts, so each
 * build runs the same cases and a failure names the seed and the case index that reproduce it.
 * {@code -Darca.hostile.seed=N} runs another set.
 */
class HostileInputTest {

  static final int TRIES = 10_000;
  /** The base seed; each test adds its own offset so the parsers do not all see the same strings. */
  private static final long SEED = Long.getLong("arca.hostile.seed", 0x5EED_A4CAL);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path scratch;
  private static Registry registry;
  private static InMemoryBlobStore store;
  private static String manifestKey;
  private static ObjectNode storedManifest;

  @BeforeAll
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

  @AfterAll
  static void tearDown() throws IOException {
    registry.close();
    try (Stream<Path> files = Files.walk(scratch)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---- running cases ---------------------------------------------------------------------------------------

  /** One check of one generated input; may throw anything, which fails the case. */
  @FunctionalInterface
  interface Check<T> {
    void accept(T input) throws Exception;
  }

  /**
   * Runs {@code check} on {@code count} inputs: first the generator's edge cases, then inputs drawn from a
   * random seeded with the base seed plus {@code offset}. Stops at the first failure, naming seed, case index and
   * input.
   */
  private static <T> void forEachCase(TestInfo test, int offset, int count, List<T> edges,
      Function<SplittableRandom, T> generator, Check<T> check) {
    long seed = SEED + offset;
    String name = test.getTestMethod().orElseThrow().getName();
    System.out.printf("HostileInputTest.%s: %,d cases, seed %d (base -Darca.hostile.seed=%d)%n", name, count, seed,
        SEED);
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      T input = i < edges.size() ? edges.get(i) : generator.apply(random);
      try {
        check.accept(input);
      } catch (Throwable failure) {
        throw new AssertionError(String.format("%s failed at case %d of seed %d (base -Darca.hostile.seed=%d) on "
            + "input %s: %s", name, i, seed, SEED, describe(input), failure), failure);
      }
    }
  }

  /** The input as printable ASCII: controls, non-ASCII and lone surrogates as Java unicode escapes. */
  private static String describe(Object input) {
    String text = input instanceof byte[] bytes ? new String(bytes, UTF_8) : String.valueOf(input);
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.append('"').toString();
  }

  // ---- generators ------------------------------------------------------------------------------------------

  /** What breaks parsers: separators, dots, escapes, controls, unicode, drive letters, version-like text. */
  private static final List<String> PIECES = List.of("/", "\\", ".", "..", "../", "./", "@", "#", ":", "%", "%2e",
      "%2F", "~", "\0", "\n", " ", "a", "Z", "9", "_", "-", "v1", "1.0.2", "latest", "\u00e9", "\uD83D\uDE00", "C:",
      "//");
  private static final String VALID_CHARS = "abc._:-";

  /**
   * Strings biased toward what breaks parsers, one of three shapes with equal odds: up to 40 {@link #PIECES}
   * joined; up to 260 chars drawn from the whole {@code char} range (lone surrogates and noncharacters included);
   * 150 to 260 chars of valid name characters (lengths around the name limit).
   */
  private static String hostile(SplittableRandom random) {
    StringBuilder out = new StringBuilder();
    switch (random.nextInt(3)) {
      case 0 -> {
        for (int n = random.nextInt(41); n > 0; n--) {
          out.append(PIECES.get(random.nextInt(PIECES.size())));
        }
      }
      case 1 -> {
        for (int n = random.nextInt(261); n > 0; n--) {
          out.append((char) random.nextInt(Character.MAX_VALUE + 1));
        }
      }
      default -> {
        for (int n = 150 + random.nextInt(111); n > 0; n--) {
          out.append(VALID_CHARS.charAt(random.nextInt(VALID_CHARS.length())));
        }
      }
    }
    return out.toString();
  }

  /** Edge cases tried before the random ones: empty, each piece alone, extreme chars, the length bounds. */
  private static List<String> hostileEdges() {
    List<String> edges = new ArrayList<>(List.of("", "\u0000", "\uffff", "\ud800", "\udc00", "a".repeat(150),
        "a".repeat(260), "\uffff".repeat(260)));
    edges.addAll(PIECES);
    return edges;
  }

  // ---- names, versions, keys, paths ------------------------------------------------------------------------

  @Test
  void names_areValidOrRefusedWithIllegalArgument_andNeverEscapeAsAPathSegment(TestInfo test) {
    forEachCase(test, 1, TRIES, hostileEdges(), HostileInputTest::hostile, s -> {
      try {
        Names.requireName(s);
      } catch (IllegalArgumentException refused) {
        return;
      }
      assertThat(s.length()).isBetween(1, Names.MAX_NAME_LENGTH);
      String segment = Names.encode(s);
      assertThat(segment).doesNotContain("/", "\\").isNotIn(".", "..");
      assertThat(Names.decode(segment)).isEqualTo(s);
    });
  }

  @Test
  void versions_areValidOrRefusedWithIllegalArgument_andRoundTrip(TestInfo test) {
    forEachCase(test, 2, TRIES, hostileEdges(), HostileInputTest::hostile, s -> {
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
    });
  }

  @Test
  void objectKeys_areValidOrRefusedWithIllegalArgument(TestInfo test) {
    forEachCase(test, 3, TRIES, hostileEdges(), HostileInputTest::hostile, s -> {
      try {
        ObjectKey key = ObjectKey.parse(s);
        Names.requireName(key.name());
      } catch (IllegalArgumentException refused) {
        // the documented refusal
      }
    });
  }

  @Test
  void storeKeys_areValidOrRefusedWithStoreKeyFormatException(TestInfo test) {
    forEachCase(test, 4, TRIES, hostileEdges(), HostileInputTest::hostile, s -> {
      try {
        StoreKey.parse(s);
      } catch (dev.arca.store.StoreKeyFormatException refused) {
        // the documented refusal
      }
    });
  }

  @Test
  void filePaths_thatAreAccepted_stayInsideTheTarget(TestInfo test) {
    forEachAccepted_assertItStaysInside(test, 5, Path.of("/srv/arca/target"), Names::requirePath);
  }

  @Test
  void blobKeys_thatAreAccepted_stayInsideTheRoot(TestInfo test) {
    forEachAccepted_assertItStaysInside(test, 6, Path.of("/srv/arca/root"), BlobStore::requireKey);
  }

  /** For every hostile string {@code check} accepts (else it throws IllegalArgumentException), stays in root. */
  private static void forEachAccepted_assertItStaysInside(TestInfo test, int offset, Path root,
      Function<String, String> check) {
    forEachCase(test, offset, TRIES, hostileEdges(), HostileInputTest::hostile, s -> {
      try {
        check.apply(s);
      } catch (IllegalArgumentException refused) {
        return;
      }
      assertThat(root.resolve(s).normalize().startsWith(root)).as(s).isTrue();
    });
  }

  // ---- config files ----------------------------------------------------------------------------------------

  private static final String VALID_CONFIG = """
      mounts:
        - name: staging
          uri: file:///tmp/staging
          default: true
        - name: prod
          uri: s3://bucket/models?region=eu-west-1
          readOnly: true
      """;

  /** A config file's extension and text. */
  record ConfigCase(String extension, String text) {}

  /**
   * The valid config with a hostile string spliced in at any offset (end included), replacing 0 to 20 chars, read
   * as YAML or JSON with equal odds.
   */
  private static ConfigCase config(SplittableRandom random) {
    int at = random.nextInt(VALID_CONFIG.length() + 1);
    int cut = random.nextInt(21);
    String insert = hostile(random);
    String extension = random.nextBoolean() ? ".yaml" : ".json";
    return new ConfigCase(extension, VALID_CONFIG.substring(0, at) + insert
        + VALID_CONFIG.substring(Math.min(VALID_CONFIG.length(), at + cut)));
  }

  @Test
  void configFiles_parseOrFailWithIllegalArgument(TestInfo test) {
    List<ConfigCase> edges = List.of(new ConfigCase(".yaml", ""), new ConfigCase(".json", ""),
        new ConfigCase(".yaml", VALID_CONFIG), new ConfigCase(".json", VALID_CONFIG));
    forEachCase(test, 7, TRIES, edges, HostileInputTest::config, generated -> {
      Path file = Files.write(scratch.resolve("config" + generated.extension()), generated.text().getBytes(UTF_8));
      try {
        StoreConfig.read(file);
      } catch (IllegalArgumentException refused) {
        // the documented refusal, naming the file and line
        assertThat(refused.getMessage()).isNotBlank();
      } catch (UncheckedIOException unreadable) {
        assertThat(unreadable).hasMessageContaining("cannot read store config");
      }
    });
  }

  // ---- manifests read from storage -------------------------------------------------------------------------

  /** Documents that try polymorphic typing or have the wrong shape. */
  private static final List<String> TYPED = List.of("{\"@class\":\"java.lang.ProcessBuilder\"}",
      "[\"java.lang.ProcessBuilder\",{\"command\":[\"touch\",\"/tmp/pwned\"]}]", "null", "[]", "\"str\"", "1e999",
      "{\"manifest\":null}");

  /**
   * The stored manifest corrupted in one of three ways with equal odds: one byte XORed with 1 to 255, truncated
   * to 0 to length-1 bytes, or replaced by one of {@link #TYPED}.
   */
  private static byte[] corruptedManifest(SplittableRandom random) {
    byte[] valid = storedManifest.toString().getBytes(UTF_8);
    return switch (random.nextInt(3)) {
      case 0 -> {
        byte[] copy = valid.clone();
        copy[random.nextInt(valid.length)] ^= (byte) (1 + random.nextInt(255));
        yield copy;
      }
      case 1 -> Arrays.copyOf(valid, random.nextInt(valid.length));
      default -> TYPED.get(random.nextInt(TYPED.size())).getBytes(UTF_8);
    };
  }

  @Test
  void corruptedOrTruncatedManifests_failWithARegistryException(TestInfo test) {
    List<byte[]> edges = new ArrayList<>(TYPED.stream().map(t -> t.getBytes(UTF_8)).toList());
    edges.add(new byte[0]);
    forEachCase(test, 8, TRIES, edges, HostileInputTest::corruptedManifest, bytes -> {
      store.put(manifestKey, bytes, Condition.NONE);
      Path into = scratch.resolve("load-" + System.nanoTime());
      try {
        registry.loadInto("victim@1.0.0", into);
      } catch (RegistryException expected) {
        assertThat(expected.getMessage()).isNotBlank().contains("victim@1.0.0")
            .doesNotContain("com.fasterxml", "dev.arca.registry.internal", "StoredManifest", "Exception");
      }
    });
  }

  /** Every escaping shape, each tried once. */
  @ParameterizedTest
  @ValueSource(strings = {"../../x", "../x", "/etc/passwd", "/abs", "a/../../b", "a/./b", "sub/../../../x", "..",
      ".", "a//b", "C:\\x", "a\\..\\b", "", "sub/\0x", "x/"})
  void aManifestListingAPathThatEscapes_isRefusedBeforeAnythingIsWritten(String path) throws IOException {
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
