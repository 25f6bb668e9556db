package dev.arca.registry.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.arca.registry.BatchResult;
import dev.arca.registry.CopyResult;
import dev.arca.registry.FileEntry;
import dev.arca.registry.JanitorReport;
import dev.arca.registry.Manifest;
import dev.arca.registry.MaterializerException;
import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.OnConflict;
import dev.arca.registry.ReadOnlyRegistryException;
import dev.arca.registry.Registry;
import dev.arca.registry.RegistryException;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.TagEvent;
import dev.arca.registry.UnsupportedCapabilityException;
import dev.arca.registry.Version;
import dev.arca.registry.VersionConflictException;
import dev.arca.registry.spi.ArtifactReader;
import dev.arca.registry.spi.ArtifactWriter;
import dev.arca.registry.spi.Materializer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every backend meets through the {@link Registry} API: round trips of every built-in
 * materializer, versions, conflicts, batches, tags, the map view, the janitor, and races between threads.
 * A backend's test extends this and supplies fresh storage per test; tests needing a capability the backend
 * does not declare are skipped with the reason.
 */
public abstract class RegistryContract {

  /** Storage for one test: every {@link #builder()} call opens the same location. */
  public interface TestStorage extends AutoCloseable {
    /**
     * A builder naming this test's storage; call it again to open a second registry on the same location.
     *
     * @return a fresh builder
     */
    Registry.Builder builder();

    /** Releases the storage after the test. */
    @Override
    default void close() throws Exception {}
  }

  /**
   * Fresh, empty storage: a new location on every call (a test may ask for two).
   *
   * @return the storage
   * @throws Exception when it cannot be created
   */
  protected abstract TestStorage newStorage() throws Exception;

  /**
   * Why compare-and-swap races are skipped on this backend, or null to run them. By default they run when the
   * backend declares atomic replace-if-match.
   *
   * @param registry an open registry on the storage
   * @return the reason to skip, or null
   */
  protected String skipCompareAndSwapRaces(Registry registry) {
    return registry.capabilities().conditionalReplace() ? null
        : "the backend does not declare atomic replace-if-match";
  }

  private static final String CREATE_RACE_SKIP_REASON = "the backend does not declare atomic create-if-absent, so"
      + " racing writers of one version may both be acknowledged";

  /**
   * Whether the backend's janitor sees writes in flight (their staged files) and reports them as kept. A backend
   * whose staged files are content-addressed blobs the janitor never deletes (OCI) sees none, and touches none.
   *
   * @return true by default
   */
  protected boolean janitorSeesInFlightWrites() {
    return true;
  }

  /** A record saved as JSON. */
  public record Sample(int id, String name, List<Double> values) {}

  /** A POJO saved as JSON. */
  public static final class Bean {
    private String label = "";
    private long count;

    /** For Jackson. */
    public Bean() {}

    Bean(String label, long count) {
      this.label = label;
      this.count = count;
    }

    /** @return the label */
    public String getLabel() {
      return label;
    }

    /** @param label the label */
    public void setLabel(String label) {
      this.label = label;
    }

    /** @return the count */
    public long getCount() {
      return count;
    }

    /** @param count the count */
    public void setCount(long count) {
      this.count = count;
    }
  }

  private TestStorage storage;
  private final List<Registry> opened = new ArrayList<>();

  /** A scratch directory for files and loads. */
  @TempDir protected Path scratch;

  @BeforeEach
  void createStorage() throws Exception {
    storage = newStorage();
  }

  @AfterEach
  void closeStorage() throws Exception {
    for (Registry r : opened) {
      r.close();
    }
    if (storage != null) { // null when newStorage() aborted the test by an assumption
      storage.close();
    }
  }

  /**
   * Opens a registry on this test's storage.
   *
   * @return the registry, closed after the test
   */
  protected Registry open() {
    return open(b -> b);
  }

  /**
   * Opens a registry on this test's storage with extra settings.
   *
   * @param settings adds settings to the builder
   * @return the registry, closed after the test
   */
  protected Registry open(UnaryOperator<Registry.Builder> settings) {
    Registry registry = settings.apply(storage.builder()).build();
    opened.add(registry);
    return registry;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  // ---------------------------------------------------------------- materializers

  @Test
  void builtIns_roundTripEveryType() {
    Registry registry = open();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("bytes", new byte[] {0, 1, 2, (byte) 255});
    values.put("empty-bytes", new byte[0]);
    values.put("text", "héllo, wörld ✓");
    values.put("record", new Sample(7, "seven", List.of(1.5, -2.25, 1e-9)));
    values.put("map", new LinkedHashMap<>(Map.of("a", 1, "b", List.of("x", "y"))));
    values.put("list", new ArrayList<>(List.of(1, "two", 3.0)));
    values.put("int", 42);
    values.put("long", 1L << 40);
    values.put("double", 0.1);
    values.put("bool", true);

    values.forEach(registry::put);

    assertThat(registry.get("bytes", byte[].class)).containsExactly(0, 1, 2, 255);
    assertThat(registry.get("empty-bytes")).isEqualTo(new byte[0]);
    assertThat(registry.get("text")).isEqualTo("héllo, wörld ✓");
    assertThat(registry.get("record", Sample.class)).isEqualTo(new Sample(7, "seven", List.of(1.5, -2.25, 1e-9)));
    assertThat(registry.get("map")).isInstanceOf(LinkedHashMap.class).isEqualTo(values.get("map"));
    assertThat(registry.get("list")).isInstanceOf(ArrayList.class).isEqualTo(values.get("list"));
    assertThat(registry.get("int")).isEqualTo(42);
    assertThat(registry.get("long")).isEqualTo(1L << 40);
    assertThat(registry.get("double")).isEqualTo(0.1);
    assertThat(registry.get("bool")).isEqualTo(true);
  }

  @Test
  void pojo_roundTripsAsItsDeclaredType() {
    Registry registry = open();
    registry.put("bean", new Bean("label", 5));

    Bean bean = registry.get("bean", Bean.class);

    assertThat(bean.getLabel()).isEqualTo("label");
    assertThat(bean.getCount()).isEqualTo(5);
    assertThatThrownBy(() -> registry.get("bean")).as("a load naming no type constructs only known classes")
        .isInstanceOf(MaterializerException.class).hasMessageContaining("allowTypes(Bean.class)");
    assertThat(open(b -> b.allowTypes(Bean.class)).get("bean")).isInstanceOf(Bean.class);
  }

  @Test
  void inputStream_isSavedStreamed_andLoadsAsBytes() {
    Registry registry = open();
    byte[] data = new byte[300_000];
    new Random(1).nextBytes(data);

    Manifest m = registry.save("stream", new ByteArrayInputStream(data));

    assertThat(m.size()).isEqualTo(data.length);
    assertThat(registry.get("stream", byte[].class)).isEqualTo(data);
    assertThat(registry.get("stream")).isEqualTo(data);
  }

  @Test
  void path_file_roundTripsIntoTheNamedDirectory() throws IOException {
    Registry registry = open();
    Path file = Files.write(scratch.resolve("weights.bin"), bytes("weights"));
    registry.save("weights", file);

    Path loaded = registry.loadInto("weights", scratch.resolve("out"));

    assertThat(loaded).isEqualTo(scratch.resolve("out").resolve("weights.bin"));
    assertThat(loaded).hasBinaryContent(bytes("weights"));
    try (Stream<Path> leftovers = Files.list(scratch.resolve("out"))) {
      assertThat(leftovers).containsExactly(loaded);
    }
  }

  @Test
  void path_directoryTree_roundTripsFileByFile() throws IOException {
    Registry registry = open();
    Path tree = scratch.resolve("tree");
    Files.createDirectories(tree.resolve("sub/deeper"));
    Files.write(tree.resolve("a.txt"), bytes("a"));
    Files.write(tree.resolve(".hidden"), bytes("h"));
    Files.write(tree.resolve("sub/b c.txt"), bytes("b"));
    Files.write(tree.resolve("sub/deeper/ünï.txt"), bytes("u"));
    Files.write(tree.resolve("sub/deeper/empty"), new byte[0]);

    Manifest m = registry.save("tree", tree);
    Path loaded = registry.load("tree", Path.class);

    assertThat(m.files()).extracting(FileEntry::path)
        .containsExactly(".hidden", "a.txt", "sub/b c.txt", "sub/deeper/empty", "sub/deeper/ünï.txt");
    assertThat(loaded.resolve("sub/b c.txt")).hasBinaryContent(bytes("b"));
    assertThat(loaded.resolve("sub/deeper/ünï.txt")).hasBinaryContent(bytes("u"));
    assertThat(loaded.resolve("sub/deeper/empty")).isEmptyFile();
    assertThat(loaded.resolve(".hidden")).hasBinaryContent(bytes("h"));
  }

  @Test
  void path_symlink_isRefused() throws IOException {
    Registry registry = open();
    Path tree = Files.createDirectories(scratch.resolve("linked"));
    Files.write(tree.resolve("real"), bytes("r"));
    try {
      Files.createSymbolicLink(tree.resolve("link"), tree.resolve("real"));
    } catch (UnsupportedOperationException | IOException e) {
      assumeTrue(false, "symbolic links not supported here: " + e);
    }

    assertThatThrownBy(() -> registry.save("linked", tree)).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("symbolic link");
    assertThat(registry.exists("linked")).isFalse();
  }

  @Test
  void noMaterializer_forAnUnsupportedType_isAClearError() {
    Registry registry = open();

    assertThatThrownBy(() -> registry.save("thread", new Thread())).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("java.lang.Thread").hasMessageContaining("materializer(");
  }

  @Test
  void load_asAnIncompatibleType_isAClearError() {
    Registry registry = open();
    registry.save("text", "hello");

    assertThatThrownBy(() -> registry.load("text", Integer.class)).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("java.lang.Integer");
  }

  /** Saves Strings reversed, with an init param recording that. */
  static final class ReversingMaterializer implements Materializer<String> {
    private final String id;

    ReversingMaterializer(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public boolean supports(Class<?> type) {
      return type == String.class;
    }

    @Override
    public void write(String value, ArtifactWriter out) throws IOException {
      out.param("order", "reversed");
      try (OutputStream file = out.file("r.txt")) {
        file.write(bytes(new StringBuilder(value).reverse().toString()));
      }
    }

    @Override
    public <S extends String> S read(ArtifactReader in, Class<S> type) throws IOException {
      assertThat(in.params()).containsEntry("order", "reversed");
      try (var file = in.open("r.txt")) {
        return type.cast(new StringBuilder(new String(file.readAllBytes(), UTF_8)).reverse().toString());
      }
    }
  }

  @Test
  void materializerLookup_explicitFirst_thenPersistedMapping_thenAddedOnes_thenBuiltIns() {
    UnaryOperator<Registry.Builder> both = b -> b.materializer(new ReversingMaterializer("test.first"))
        .materializer(new ReversingMaterializer("test.second"));
    Registry registry = open(both);

    Manifest builtIn = open().save("plain", "abc");
    Manifest added = registry.save("a", "abc");
    Manifest explicit = registry.save("b", "abc", SaveOptions.defaults().withMaterializer("test.second"));
    registry.registerMaterializer(String.class, "test.second");
    Manifest mapped = open(both).save("c", "abc");

    assertThat(builtIn.materializer()).isEqualTo("arca.string");
    assertThat(added.materializer()).isEqualTo("test.first");
    assertThat(explicit.materializer()).isEqualTo("test.second");
    assertThat(mapped.materializer()).as("mapping persisted for every opener").isEqualTo("test.second");
    assertThat(explicit.params()).containsEntry("order", "reversed");
    assertThat(registry.get("b")).isEqualTo("abc");
    assertThat(registry.settings().materializers()).containsEntry("java.lang.String", "test.second");
  }

  @Test
  void load_withAMaterializerNotOnTheClasspath_namesIt() {
    Registry writer = open(b -> b.materializer(new ReversingMaterializer("test.reversed")));
    writer.save("a", "abc");

    assertThatThrownBy(() -> open().load("a")).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("test.reversed");
  }

  // ---------------------------------------------------------------- versions

  @Test
  void autoIncrement_bumpsTheLastComponent_andListsNumerically() {
    Registry registry = open();
    for (int i = 0; i < 12; i++) {
      registry.put("m", i);
    }

    List<Version> versions = registry.versions("m");

    assertThat(versions).hasSize(12);
    assertThat(versions.get(0)).hasToString("1.0.0");
    assertThat(versions.get(11)).hasToString("1.0.11");
    assertThat(registry.get("m")).isEqualTo(11);
    assertThat(registry.get("m@latest")).isEqualTo(11);
    assertThat(registry.get("m@1.0.9")).isEqualTo(9);
    assertThat(registry.get("m@v1.0.10")).isEqualTo(10);
  }

  @Test
  void explicitVersions_areCanonicalized_andAutoIncrementContinuesFromTheHighest() {
    Registry registry = open();
    registry.save("m@2", "two");
    registry.save("m@1.5", "one-five");

    Manifest next = registry.save("m", "next");

    assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.5.0", "2.0.0", "2.0.1");
    assertThat(next.version()).hasToString("2.0.1");
    assertThat(registry.get("m@2.0.0")).isEqualTo("two");
    assertThat(registry.get("m@v1.5")).isEqualTo("one-five");
  }

  @Test
  void versionDigits_shapesVersions() {
    Registry registry = open(b -> b.versionDigits(2));
    registry.put("m", 1);
    registry.put("m", 2);

    assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.0", "1.1");
    assertThatThrownBy(() -> registry.save("m@1.2.3", 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 2 components");
  }

  @Test
  void invalidVersions_areRejectedNamingTheRule() {
    Registry registry = open();
    for (String bad : List.of("+3", "1_000", " 4 ", "1. 2", "٣", "01", "1..2", "1.2.3.4", "-1", "v", "latest2")) {
      assertThatThrownBy(() -> registry.save("m@" + bad, 1)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a version is");
    }
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void invalidNames_areRejectedNamingTheRule() {
    Registry registry = open();
    for (String bad : List.of("../x", "a/b", "", " a", "a b", "-a", ".a", "a@b@c", "ü", "a".repeat(201), "a\u0000")) {
      assertThatThrownBy(() -> registry.save(bad, 1)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageMatching("(?s).*(a name is|a version is|a tag is|version or a tag|empty version).*");
    }
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void generatedNames_roundTripThroughStorageAndListing() {
    Registry registry = open(b -> b.versioned(false));
    long seed = Long.getLong("arca.test.seed", System.nanoTime());
    Random random = new Random(seed);
    String first = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    String rest = first + "._:-";
    int maxLength = Math.min(200, registry.capabilities().maxNameLength());
    Set<String> names = new LinkedHashSet<>(List.of("a:b", "a.b", "a_b", "a-b", "A", "a", "0",
        "x" + ":".repeat(maxLength - 1), "y" + ".".repeat(maxLength - 1), "z".repeat(maxLength), "a..b", "a:"));
    while (names.size() < 2000) {
      int length = 1 + (random.nextInt(4) == 0 ? random.nextInt(maxLength) : random.nextInt(12));
      StringBuilder name = new StringBuilder().append(first.charAt(random.nextInt(first.length())));
      while (name.length() < length) {
        name.append(rest.charAt(random.nextInt(rest.length())));
      }
      names.add(name.toString());
    }
    Map<String, Object> batch = new LinkedHashMap<>();
    names.forEach(n -> batch.put(n, bytes(n)));

    BatchResult<Manifest> result = registry.saveAll(batch);

    assertThat(result.failed()).as("seed " + seed).isEmpty();
    assertThat(registry.names()).as("seed " + seed).containsExactlyInAnyOrderElementsOf(names);
    for (String name : List.copyOf(names).subList(0, 50)) {
      assertThat(registry.get(name, byte[].class)).as(name).isEqualTo(bytes(name));
    }
  }

  // ---------------------------------------------------------------- conflicts

  @Test
  void existingVersion_fail_skip_overwrite() {
    Registry immutable = open();
    immutable.save("m@1.0.0", "first");

    assertThatThrownBy(() -> immutable.save("m@1.0.0", "second")).isInstanceOf(VersionConflictException.class)
        .hasMessageContaining("m@1.0.0").hasMessageContaining("OnConflict.SKIP");
    Manifest kept = immutable.save("m@1.0.0", "second", SaveOptions.defaults().withOnConflict(OnConflict.SKIP));
    assertThat(kept.digest()).isEqualTo(immutable.info("m@1.0.0").digest());
    assertThatThrownBy(() -> immutable.save("m@1.0.0", "x", SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE)))
        .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("mutable(true)");
    assertThat(immutable.get("m@1.0.0")).isEqualTo("first");
  }

  @Test
  void overwrite_inAMutableRegistry_replacesTheVersion() {
    Registry registry = open(b -> b.mutable(true));
    Manifest first = registry.save("m@1.0.0", "first");

    Manifest second = registry.save("m@1.0.0", "second", SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE));

    assertThat(registry.get("m@1.0.0")).isEqualTo("second");
    assertThat(second.uuid()).isNotEqualTo(first.uuid());
    assertThat(registry.versions("m")).hasSize(1);
  }

  @Test
  void unversionedRegistry_holdsOneVersionPerName() {
    Registry registry = open(b -> b.versioned(false));
    registry.put("cfg", "one");

    assertThatThrownBy(() -> registry.put("cfg", "two")).isInstanceOf(VersionConflictException.class);
    assertThatThrownBy(() -> registry.put("cfg@2", "two")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unversioned");
    assertThat(registry.versions("cfg")).hasSize(1);
    assertThat(registry.get("cfg")).isEqualTo("one");
  }

  @Test
  void settings_arePersisted_byTheFirstWrite_andAMismatchIsAnError() {
    Registry created = open(b -> b.versioned(false).mutable(true).versionDigits(2));
    created.put("first", "write"); // opening writes nothing; the first write stores the settings

    Registry reopened = open();

    assertThat(reopened.settings().versioned()).isFalse();
    assertThat(reopened.settings().mutable()).isTrue();
    assertThat(reopened.settings().versionDigits()).isEqualTo(2);
    assertThatThrownBy(() -> open(b -> b.versioned(true))).isInstanceOf(RegistryException.class)
        .hasMessageContaining("versioned=false");
  }

  // ---------------------------------------------------------------- read-only opens

  @Test
  void readOnly_readsAnExistingRegistry_andRefusesEveryWriteBeforeItReachesTheStorage() throws IOException {
    Registry writer = open();
    writer.put("m", "one");
    writer.put("m", "two");
    writer.tag("m@1.0.0", "prod");
    Registry target = open();

    Registry reader = open(b -> b.readOnly(true));

    assertThat(reader.isReadOnly()).isTrue();
    assertThat(reader.get("m")).isEqualTo("two");
    assertThat(reader.get("m#prod", String.class)).isEqualTo("one");
    assertThat(reader.names()).containsExactly("m");
    assertThat(reader.versions("m")).hasSize(2);
    assertThat(reader.exists("m@1.0.1")).isTrue();
    assertThat(reader.tags("m")).containsOnlyKeys("prod");
    assertThat(reader.asMap()).containsOnlyKeys("m");
    try (var in = reader.openFile("m@1.0.0", reader.info("m@1.0.0").files().get(0).path())) {
      assertThat(in.readAllBytes()).isNotEmpty();
    }
    List<Runnable> writes = List.of(
        () -> reader.put("m", "three"),
        () -> reader.save("n@1.0.0", "x", SaveOptions.defaults()),
        () -> reader.saveAll(Map.of("n", "x")),
        () -> reader.delete("m@1.0.0"),
        () -> reader.remove("m"),
        () -> reader.deleteAll(List.of("m")),
        () -> reader.tag("m@1.0.1", "prod"),
        () -> reader.moveTag("m", "prod", Version.parse("1.0.0", 3), Version.parse("1.0.1", 3)),
        () -> reader.untag("m", "prod"),
        () -> reader.registerMaterializer(Sample.class, "arca.json"),
        () -> reader.janitor(false),
        () -> reader.janitor(true),
        () -> reader.asMap().put("m", "four"),
        () -> reader.asMap().remove("m"),
        () -> writer.copyTo("m@1.0.0", reader, "copy"));
    for (Runnable write : writes) {
      assertThatThrownBy(write::run).isInstanceOf(ReadOnlyRegistryException.class)
          .hasMessageContaining("opened read-only");
    }
    reader.copyTo("m@1.0.0", target, "copied"); // a read-only registry is a fine source

    assertThat(writer.versions("m")).hasSize(2);
    assertThat(writer.tags("m")).containsEntry("prod", Version.parse("1.0.0", 3));
    assertThat(writer.names()).containsExactly("copied", "m");
  }

  @Test
  void readOnly_whereNoRegistryExists_failsToOpenNamingIt_andCreatesNothing() {
    assertThatThrownBy(() -> open(b -> b.readOnly(true))).isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("no registry at").hasMessageContaining("read-only");
    assertThatThrownBy(() -> open(b -> b.readOnly(true))).as("the failed open created nothing")
        .isInstanceOf(ObjectNotFoundException.class);

    Registry writer = open();
    assertThat(writer.names()).isEmpty();
    writer.put("first", 1); // a write creates the registry
    assertThat(open(b -> b.readOnly(true)).get("first")).isEqualTo(1);
  }

  // ---------------------------------------------------------------- info, exists, delete

  @Test
  void info_recordsWhatWasSaved() {
    Registry registry = open();
    Manifest saved = registry.save("m", new Sample(1, "one", List.of()),
        SaveOptions.defaults().withMetadata(Map.of("team", "vision")).withDependsOn(List.of("data@1.0.0")));

    Manifest info = registry.info("m");

    assertThat(info).isEqualTo(saved);
    assertThat(info.objectClass()).isEqualTo(Sample.class.getName());
    assertThat(info.materializer()).isEqualTo("arca.json");
    assertThat(info.metadata()).containsEntry("team", "vision");
    assertThat(info.dependsOn()).containsExactly("data@1.0.0");
    assertThat(info.digestMatches()).isTrue();
    assertThat(info.files()).singleElement().satisfies(f -> assertThat(f.size()).isEqualTo(info.size()));
  }

  @Test
  void missingKeys_areObjectNotFound() {
    Registry registry = open();
    registry.put("m", 1);

    assertThatThrownBy(() -> registry.get("nope")).isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> registry.get("m@9")).isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("m@9.0.0");
    assertThatThrownBy(() -> registry.get("m#prod")).isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("m#prod");
    assertThat(registry.exists("nope")).isFalse();
    assertThat(registry.exists("m@9")).isFalse();
    assertThat(registry.exists("m")).isTrue();
    assertThat(registry.exists("m@1.0.0")).isTrue();
    assertThat(registry.getOrDefault("nope", "fallback")).isEqualTo("fallback");
  }

  @Test
  void delete_oneVersion_orAWholeName() {
    Registry registry = open();
    registry.put("m", 1);
    registry.put("m", 2);
    registry.put("other", 3);
    registry.tag("m@1.0.1", "prod");

    registry.delete("m@1.0.0");
    assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.0.1");

    registry.delete("m");
    assertThat(registry.names()).containsExactly("other");
    assertThat(registry.tags("m")).isEmpty();
    assertThatThrownBy(() -> registry.delete("m")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(registry.remove("m@1.0.0")).isFalse();
  }

  @Test
  void listAll_givesEveryNameWithItsVersions() {
    Registry registry = open();
    registry.put("b", 1);
    registry.put("a", 1);
    registry.put("a", 2);

    assertThat(registry.listAll()).containsExactly(
        Map.entry("a", List.of(Version.parse("1.0.0", 3), Version.parse("1.0.1", 3))),
        Map.entry("b", List.of(Version.parse("1.0.0", 3))));
  }

  // ---------------------------------------------------------------- batch

  @Test
  void saveAll_reportsEachItemInOrder_withoutThrowing() {
    Registry registry = open();
    registry.save("exists@1.0.0", "old");
    Map<String, Object> items = new LinkedHashMap<>();
    items.put("a", 1);
    items.put("bad/name", 2);
    items.put("exists@1.0.0", "new");
    items.put("b@2.0.0", 3);

    BatchResult<Manifest> result = registry.saveAll(items);

    assertThat(result.items()).extracting(BatchResult.Item::key).containsExactly("a", "bad/name", "exists@1.0.0", "b@2.0.0");
    assertThat(result.items()).extracting(BatchResult.Item::status).containsExactly(BatchResult.Status.OK,
        BatchResult.Status.FAILED, BatchResult.Status.FAILED, BatchResult.Status.OK);
    assertThat(result.errors().get("exists@1.0.0")).isInstanceOf(VersionConflictException.class);
    assertThat(result.allSucceeded()).isFalse();
    assertThat(result.succeeded()).hasSize(2);
    assertThat(registry.get("exists@1.0.0")).isEqualTo("old");

    BatchResult<Manifest> skipped = registry.saveAll(Map.of("exists@1.0.0", "new"),
        SaveOptions.defaults().withOnConflict(OnConflict.SKIP));
    assertThat(skipped.skipped()).hasSize(1);
    assertThat(skipped.allSucceeded()).isTrue();
  }

  @Test
  void saveAll_withTheSameVersionTwice_isRejectedBeforeWritingAnything() {
    Registry registry = open();
    Map<String, Object> items = new LinkedHashMap<>();
    items.put("first", 0);
    items.put("m@1", 1);
    items.put("m@v1.0.0", 2);

    assertThatThrownBy(() -> registry.saveAll(items)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m@1.0.0").hasMessageContaining("nothing was saved");
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void saveAll_inAnUnversionedRegistry_refusesANameGivenWithAndWithoutItsVersion() {
    Registry registry = open(b -> b.versioned(false));
    Map<String, Object> items = new LinkedHashMap<>();
    items.put("a", 1);
    items.put("a@1.0.0", 2);

    assertThatThrownBy(() -> registry.saveAll(items)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a@1.0.0").hasMessageContaining("nothing was saved");
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void loadAll_andDeleteAll_reportPerItem() {
    Registry registry = open();
    registry.put("a", "A");
    registry.put("b", "B");

    BatchResult<String> loaded = registry.loadAll(List.of("a", "missing", "b"), String.class);
    BatchResult<Boolean> deleted = registry.deleteAll(List.of("a", "missing"));

    assertThat(loaded.values()).containsExactly(Map.entry("a", "A"), Map.entry("b", "B"));
    assertThat(loaded.errors().get("missing")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(deleted.items()).extracting(BatchResult.Item::value).containsExactly(true, false);
    assertThat(registry.names()).containsExactly("b");
  }

  // ---------------------------------------------------------------- tags

  @Test
  void tags_resolve_move_andKeepHistory() {
    Registry registry = open();
    registry.put("m", "one");
    registry.put("m", "two");
    Version v0 = Version.parse("1.0.0", 3);
    Version v1 = Version.parse("1.0.1", 3);

    registry.tag("m@1.0.0", "prod");
    assertThat(registry.get("m#prod")).isEqualTo("one");

    registry.moveTag("m", "prod", v0, v1);
    assertThat(registry.get("m#prod")).isEqualTo("two");
    assertThatThrownBy(() -> registry.moveTag("m", "prod", v0, v0)).isInstanceOf(VersionConflictException.class)
        .hasMessageContaining("points to 1.0.1");

    registry.tag("m#prod", "staging");
    assertThat(registry.tags("m")).containsExactly(Map.entry("prod", v1), Map.entry("staging", v1));
    List<TagEvent> history = registry.tagHistory("m", "prod");
    assertThat(history).extracting(TagEvent::version).containsExactly(v0, v1);
    assertThat(history.get(1).previous()).isEqualTo(v0);

    assertThat(registry.untag("m", "staging")).isTrue();
    assertThat(registry.untag("m", "staging")).isFalse();
    assertThatThrownBy(() -> registry.tag("m@9", "prod")).isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> registry.tag("m", "latest")).isInstanceOf(IllegalArgumentException.class);
  }

  @Tag("race")
  @Test
  void tagRace_eightMovers_allSucceed_andHistoryHasEveryMove() {
    Registry registry = open();
    String skip = skipCompareAndSwapRaces(registry);
    assumeTrue(skip == null, skip);
    for (int i = 0; i < 8; i++) {
      registry.put("m", i);
    }

    List<Race.Outcome<Version>> outcomes = Race.run(8, i -> registry.tag("m@1.0." + i, "prod"));

    assertThat(outcomes).allMatch(Race.Outcome::ok);
    List<TagEvent> history = registry.tagHistory("m", "prod");
    assertThat(history).hasSize(8);
    assertThat(history.get(7).version()).isEqualTo(registry.tags("m").get("prod"));
  }

  // ---------------------------------------------------------------- map view

  @Test
  void mapView_behavesAsAMapOverLatestVersions() {
    Registry registry = open();
    Map<String, Object> map = registry.asMap();

    map.put("a", 1);
    map.put("a", 2);
    map.put("b", "bee");

    assertThat(map).hasSize(2).containsEntry("a", 2).containsEntry("b", "bee");
    assertThat(map.containsKey("a")).isTrue();
    assertThat(map.containsKey("zz")).isFalse();
    assertThat(map.get("zz")).isNull();
    assertThat(map.get("bad/key")).isNull();
    assertThat(map.keySet()).containsExactly("a", "b");
    assertThat(new HashMap<>(map)).isEqualTo(Map.of("a", 2, "b", "bee"));
    assertThat(map.put("a", 3)).as("put returns the previous value").isEqualTo(2);
    assertThat(map.replace("a", 4)).isEqualTo(3);
    assertThat(map.replace("absent", 4)).isNull();
    assertThat(map.remove("a")).isEqualTo(4);
    assertThat(map).containsOnlyKeys("b");
    Iterator<Map.Entry<String, Object>> it = map.entrySet().iterator();
    it.next();
    it.remove();
    assertThat(map).isEmpty();
    assertThat(registry.containsKey("b")).isFalse();
  }

  @Test
  void mapView_keysAreExactlyTheNamesItIterates() {
    Registry registry = open();
    Map<String, Object> map = registry.asMap();
    map.put("one", "first");
    registry.tag("one@1.0.0", "prod");

    assertThat(map.keySet()).containsExactly("one");
    for (String notAKey : List.of("one@1.0.0", "one@latest", "one#prod", "one@1")) {
      assertThat(map.containsKey(notAKey)).as(notAKey).isFalse();
      assertThat(map.get(notAKey)).as(notAKey).isNull();
      assertThat(map.remove(notAKey)).as(notAKey).isNull();
      assertThatThrownBy(() -> map.put(notAKey, "x")).as(notAKey).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(map.entrySet()).singleElement().hasToString("one=first")
        .isEqualTo(Map.entry("one", "first")).hasSameHashCodeAs(Map.entry("one", "first"));
    Map.Entry<String, Object> entry = map.entrySet().iterator().next();
    assertThat(entry.setValue("second")).as("setValue returns the old value").isEqualTo("first");
    assertThat(registry.get("one")).isEqualTo("second");
    assertThat(registry.versions("one")).hasSize(2);
  }

  @Test
  void mapView_showsFilesAndTreesAsTheirManifests_soReadingThemWritesNothing() throws IOException {
    Registry registry = open();
    Path file = Files.writeString(scratch.resolve("weights.bin"), "w");
    Path tree = Files.createDirectories(scratch.resolve("tree"));
    Files.writeString(tree.resolve("a.txt"), "a");
    registry.put("file", file);
    registry.put("tree", tree);
    Map<String, Object> map = registry.asMap();

    // a loaded Path would be a directory nobody deletes; the manifest says what loadInto/loadFile would write
    assertThat(map.get("file")).isInstanceOfSatisfying(Manifest.class, m -> assertThat(m.isTree()).isFalse());
    assertThat(map.get("tree")).isInstanceOfSatisfying(Manifest.class, m -> assertThat(m.isTree()).isTrue());
    assertThat(map.values()).hasSize(2).allMatch(Manifest.class::isInstance);
    assertThat(map.remove("file")).isInstanceOf(Manifest.class);
    assertThat(map.put("tree", tree)).isInstanceOf(Manifest.class);
    assertThat(map).containsOnlyKeys("tree");
  }

  // ---------------------------------------------------------------- copy and sync

  @Test
  void copyTo_anotherRegistry_keepsVersionMetadataAndDigest_andIsIdempotent() throws Exception {
    Registry source = open();
    Manifest saved = source.save("m@1.2.3", new Sample(3, "three", List.of(3.0)),
        SaveOptions.defaults().withMetadata(Map.of("stage", "dev")).withDependsOn(List.of("data@1.0.0")));
    try (TestStorage other = newStorage(); Registry target = other.builder().build()) {
      CopyResult first = source.copyTo("m@1.2.3", target);
      CopyResult again = source.copyTo("m", target);

      assertThat(first.copied()).isTrue();
      assertThat(first.bytes()).isEqualTo(saved.size());
      assertThat(again.copied()).as("a second copy transfers nothing").isFalse();
      Manifest copied = target.info("m@1.2.3");
      assertThat(copied.digest()).isEqualTo(saved.digest());
      assertThat(copied.metadata()).isEqualTo(saved.metadata());
      assertThat(copied.materializer()).isEqualTo(saved.materializer());
      assertThat(copied.dependsOn()).isEqualTo(saved.dependsOn());
      assertThat(copied.createdAt()).isEqualTo(saved.createdAt());
      assertThat(target.get("m@1.2.3", Sample.class)).isEqualTo(new Sample(3, "three", List.of(3.0)));
      assertThat(source.copyTo("m@1.2.3", target, "renamed").manifest().name()).isEqualTo("renamed");

      target.save("x@1.0.0", "theirs");
      source.save("x@1.0.0", "mine");
      assertThatThrownBy(() -> source.copyTo("x@1.0.0", target)).isInstanceOf(VersionConflictException.class)
          .hasMessageContaining("different content");
    }
  }

  @Test
  void syncTo_mergesAWholeRegistry_keepingVersionNumbers_andARerunCopiesNothing() throws Exception {
    Registry source = open();
    source.save("m@1.0.5", "five");
    source.save("m@2.0.0", "two");
    source.save("n", "n1");
    try (TestStorage other = newStorage(); Registry target = other.builder().build()) {
      target.save("m@1.0.0", "target's own");

      BatchResult<CopyResult> first = source.syncTo(target);
      BatchResult<CopyResult> second = source.syncTo(target);

      assertThat(first.items()).extracting(BatchResult.Item::key).containsExactly("m@1.0.5", "m@2.0.0", "n@1.0.0");
      assertThat(first.succeeded()).hasSize(3);
      assertThat(second.skipped()).hasSize(3);
      assertThat(target.versions("m")).extracting(Version::toString).containsExactly("1.0.0", "1.0.5", "2.0.0");
      assertThat(target.get("m@2.0.0")).isEqualTo("two");
      assertThat(target.get("m@1.0.0")).isEqualTo("target's own");
    }
  }

  // ---------------------------------------------------------------- janitor

  @Test
  void janitor_keepsOverwrittenFilesForTheGracePeriod_byTheStoresClock_thenReclaimsThem() throws Exception {
    // Ages are the store's, so this waits for real time to pass: a short grace period keeps the wait short.
    Duration grace = Duration.ofSeconds(6);
    Registry registry = open(b -> b.mutable(true).gracePeriod(grace));
    registry.save("m@1.0.0", "first");
    registry.save("keep", "kept");
    long overwriteStarted = System.nanoTime();
    registry.save("m@1.0.0", "second", SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE));

    JanitorReport early = registry.janitor(true);
    if (Duration.ofNanos(System.nanoTime() - overwriteStarted).compareTo(grace) < 0) {
      assertThat(early.orphans()).as("within the grace period of the overwrite").isEmpty();
    }

    JanitorReport dryRun = registry.janitor(false);
    for (long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        dryRun.orphans().isEmpty() && System.nanoTime() < deadline; dryRun = registry.janitor(false)) {
      Thread.sleep(250); // waiting for the store's clock to pass the grace period, nothing else
    }
    assertThat(dryRun.applied()).isFalse();
    assertThat(dryRun.orphans()).hasSize(1).allMatch(o -> o.startsWith("m/"));
    assertThat(dryRun.files()).isEqualTo(1);
    assertThat(dryRun.bytes()).isEqualTo("first".length());
    assertThat(registry.janitor(false).orphans()).as("a dry run removes nothing").hasSize(1);

    JanitorReport applied = registry.janitor(true);
    assertThat(applied.orphans()).isEqualTo(dryRun.orphans());
    assertThat(registry.janitor(false).orphans()).isEmpty();
    assertThat(registry.get("m@1.0.0")).isEqualTo("second");
    assertThat(registry.get("keep")).isEqualTo("kept");
  }

  /** Blocks inside write until released, to hold a write in flight. */
  static final class BlockingMaterializer implements Materializer<String> {
    final CountDownLatch written = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public String id() {
      return "test.blocking";
    }

    @Override
    public boolean supports(Class<?> type) {
      return type == String.class;
    }

    @Override
    public void write(String value, ArtifactWriter out) throws IOException {
      try (OutputStream file = out.file("part1")) {
        file.write(bytes(value));
      }
      written.countDown();
      try {
        if (!release.await(2, TimeUnit.MINUTES)) {
          throw new IOException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      try (OutputStream file = out.file("part2")) {
        file.write(bytes(value));
      }
    }

    @Override
    public <S extends String> S read(ArtifactReader in, Class<S> type) throws IOException {
      try (var file = in.open("part2")) {
        return type.cast(new String(file.readAllBytes(), UTF_8));
      }
    }
  }

  @Test
  void janitor_neverTouchesAnInFlightWrite() throws Exception {
    BlockingMaterializer blocking = new BlockingMaterializer();
    Registry registry = open(b -> b.materializer(blocking));
    Thread writer = new Thread(() -> registry.save("inflight", "data",
        SaveOptions.defaults().withMaterializer("test.blocking")));
    writer.start();
    assertThat(blocking.written.await(1, TimeUnit.MINUTES)).isTrue();

    JanitorReport report = registry.janitor(true);
    blocking.release.countDown();
    writer.join(TimeUnit.MINUTES.toMillis(1));

    assertThat(report.orphans()).isEmpty();
    assertThat(report.kept()).isEqualTo(janitorSeesInFlightWrites() ? 1 : 0);
    assertThat(registry.get("inflight")).isEqualTo("data");
  }

  // ---------------------------------------------------------------- races

  @Tag("race")
  @Test
  void sameVersionRace_exactlyOneOfEightWins_theRestConflict_nothingTorn() {
    Registry registry = open();
    assumeTrue(registry.capabilities().conditionalCreate(), CREATE_RACE_SKIP_REASON);
    for (int round = 0; round < 10; round++) {
      String key = "race" + round + "@1.0.0";
      List<Race.Outcome<Manifest>> outcomes = Race.run(8, i -> registry.save(key, "writer-" + i + "-" + "x".repeat(i * 1000)));

      List<Integer> winners = IntStream.range(0, 8).filter(i -> outcomes.get(i).ok()).boxed().toList();
      assertThat(winners).as("round " + round).hasSize(1);
      assertThat(outcomes).filteredOn(o -> !o.ok()).allSatisfy(o -> assertThat(o.error())
          .isInstanceOf(VersionConflictException.class));
      int w = winners.get(0);
      assertThat(registry.get(key)).isEqualTo("writer-" + w + "-" + "x".repeat(w * 1000));
    }
  }

  @Tag("race")
  @Test
  void autoIncrementRace_givesDistinctDenseVersions_withoutSpuriousFailures() {
    Registry registry = open();
    assumeTrue(registry.capabilities().conditionalCreate(), CREATE_RACE_SKIP_REASON);
    int perThread = 10;

    List<Race.Outcome<List<Version>>> outcomes = Race.run(8, i -> {
      List<Version> mine = new ArrayList<>();
      for (int n = 0; n < perThread; n++) {
        mine.add(registry.save("counter", i * 1000 + n).version());
      }
      return mine;
    });

    assertThat(outcomes).allMatch(Race.Outcome::ok);
    List<Version> all = outcomes.stream().flatMap(o -> o.value().stream()).sorted().toList();
    assertThat(all).doesNotHaveDuplicates().hasSize(8 * perThread);
    assertThat(all).extracting(Version::toString).isEqualTo(
        IntStream.range(0, 8 * perThread).mapToObj(n -> "1.0." + n).toList());
    assertThat(registry.versions("counter")).isEqualTo(all);
  }

  @Tag("race")
  @Test
  void overwriteRace_everyWriterSucceeds_andTheResultIsOneWholeWrite() {
    Registry registry = open(b -> b.mutable(true));
    String skip = skipCompareAndSwapRaces(registry);
    assumeTrue(skip == null, skip);
    registry.save("m@1.0.0", new Sample(-1, "start", List.of()));
    SaveOptions overwrite = SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE);

    List<Race.Outcome<Manifest>> outcomes = Race.run(8, i ->
        registry.save("m@1.0.0", new Sample(i, "writer-" + i, List.of((double) i, (double) i)), overwrite));

    assertThat(outcomes).allMatch(Race.Outcome::ok);
    Sample last = registry.get("m@1.0.0", Sample.class);
    assertThat(last.name()).isEqualTo("writer-" + last.id());
    assertThat(last.values()).containsExactly((double) last.id(), (double) last.id());
    assertThat(registry.info("m@1.0.0").digestMatches()).isTrue();
  }

  @Tag("race")
  @Test
  void readersDuringOverwrites_neverFail_andNeverSeeAMixOfTwoWrites() throws IOException {
    Registry registry = open(b -> b.mutable(true));
    String skip = skipCompareAndSwapRaces(registry);
    assumeTrue(skip == null, skip);
    int writers = 3;
    int rounds = 8;
    List<Path> trees = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Path tree = Files.createDirectories(scratch.resolve("tree" + w));
      for (String file : List.of("a", "b", "c")) {
        Files.write(tree.resolve(file), bytes("writer-" + w + "-" + "y".repeat(w * 5000)));
      }
      trees.add(tree);
    }
    registry.save("m@1.0.0", trees.get(0));
    SaveOptions overwrite = SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE);
    AtomicInteger writing = new AtomicInteger(writers);
    AtomicInteger reads = new AtomicInteger();

    List<Race.Outcome<Integer>> outcomes = Race.run(writers + 3, i -> {
      if (i < writers) {
        try {
          for (int r = 0; r < rounds; r++) {
            registry.save("m@1.0.0", trees.get(i), overwrite);
          }
        } finally {
          writing.decrementAndGet();
        }
        return 0;
      }
      int n = 0;
      do {
        Path loaded = registry.loadInto("m@1.0.0", scratch.resolve("reader" + i + "-" + n));
        Set<String> contents = new HashSet<>();
        for (String file : List.of("a", "b", "c")) {
          contents.add(Files.readString(loaded.resolve(file)));
        }
        assertThat(contents).as("files of one load").hasSize(1);
        n++;
        reads.incrementAndGet();
      } while (writing.get() > 0);
      return n;
    });

    assertThat(outcomes).allMatch(Race.Outcome::ok);
    assertThat(reads.get()).isGreaterThanOrEqualTo(3);
  }
}
