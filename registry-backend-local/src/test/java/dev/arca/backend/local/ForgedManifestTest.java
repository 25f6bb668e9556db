package dev.arca.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import dev.arca.registry.MaterializerException;
import dev.arca.registry.Registry;
import dev.arca.registry.RegistryException;
import dev.arca.registry.testkit.ForgedManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Manifests written by someone who can write the storage (with a recomputed digest, which has no key): an
 * untyped load instantiates only classes the registry knows, and a malformed manifest is an error naming the key
 * and the rule, never a parser's class.
 */
class ForgedManifestTest extends LocalRegistryFixture {

  /** Counts its instances: a class no manifest may make an untyped load construct. */
  public static final class Tripwire {
    static final AtomicInteger CREATED = new AtomicInteger();

    /** For Jackson. */
    public Tripwire() {
      CREATED.incrementAndGet();
    }
  }

  /** A record saved as JSON. */
  public record Point(int x, int y) {}

  @Test
  void untypedLoad_ofAClassTheManifestNames_isRefused_andNothingIsConstructed() throws IOException {
    registry.save("victim", Map.of());
    ForgedManifest.rewrite(root, "victim", "1.0.0", m -> m.put("objectClass", Tripwire.class.getName()));
    Tripwire.CREATED.set(0);

    assertThatThrownBy(() -> registry.load("victim")).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("victim@1.0.0").hasMessageContaining(Tripwire.class.getName())
        .hasMessageContaining("load(key, Tripwire.class)").hasMessageContaining("allowTypes(");
    assertThatThrownBy(() -> registry.get("victim")).isInstanceOf(MaterializerException.class);
    assertThat(Tripwire.CREATED).hasValue(0);
  }

  @Test
  void untypedLoad_namingAJdkClass_isRefusedTheSameWay() throws IOException {
    registry.save("victim", Map.of());
    ForgedManifest.rewrite(root, "victim", "1.0.0", m -> m.put("objectClass", "java.lang.ProcessBuilder"));

    assertThatThrownBy(() -> registry.load("victim")).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("java.lang.ProcessBuilder").hasMessageContaining("allowTypes(");
  }

  @Test
  void untypedLoad_ofAUserType_needsTheTypeAllowedOrRegistered_typedLoadsAlwaysWork() {
    registry.save("point", new Point(1, 2));

    assertThatThrownBy(() -> registry.load("point")).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("load(key, Point.class)");
    assertThat(registry.load("point", Point.class)).isEqualTo(new Point(1, 2));
    try (Registry allowing = Registry.builder().uri(root.toUri()).allowTypes(Point.class).build()) {
      assertThat(allowing.load("point")).isEqualTo(new Point(1, 2));
    }
    registry.registerMaterializer(Point.class, "arca.json");
    assertThat(registry.load("point")).isEqualTo(new Point(1, 2));
  }

  @Test
  void untypedLoads_ofBuiltInValueTypes_needNothing() {
    registry.save("map", new java.util.LinkedHashMap<>(Map.of("a", 1)));
    registry.save("list", new java.util.ArrayList<>(List.of("x")));
    registry.save("n", 42);
    registry.save("text", "t");
    registry.save("bytes", new byte[] {1});

    assertThat(registry.load("map")).isEqualTo(Map.of("a", 1));
    assertThat(registry.load("list")).isEqualTo(List.of("x"));
    assertThat(registry.load("n")).isEqualTo(42);
    assertThat(registry.load("text")).isEqualTo("t");
    assertThat(registry.load("bytes")).isEqualTo(new byte[] {1});
  }

  @Test
  void untypedLoads_ofTheJdksUnmodifiableCollections_constructMutableOnesWithTheSameContentsInTheSameOrder() {
    registry.save("map", Map.of("a", 1));
    registry.save("list", List.of("x", "y", "z"));
    registry.save("set", Set.of("s"));
    registry.save("sorted", Collections.unmodifiableSortedMap(new TreeMap<>(Map.of("b", 2, "a", 1))));
    registry.save("array", Arrays.asList(3, 1, 2));
    registry.save("single", Collections.singletonMap("k", "v"));

    assertThat(registry.load("map")).isEqualTo(Map.of("a", 1)).isInstanceOf(LinkedHashMap.class);
    assertThat(registry.load("list")).isEqualTo(List.of("x", "y", "z")).isInstanceOf(ArrayList.class);
    assertThat(registry.load("set")).isEqualTo(Set.of("s")).isInstanceOf(LinkedHashSet.class);
    assertThat(registry.load("sorted")).isInstanceOf(LinkedHashMap.class).asInstanceOf(MAP)
        .containsExactly(entry("a", 1), entry("b", 2));
    assertThat(registry.load("array")).isEqualTo(List.of(3, 1, 2));
    assertThat(registry.load("single")).isEqualTo(Map.of("k", "v"));
    assertThat(registry.info("map").objectClass()).as("what the manifest records")
        .isEqualTo(LinkedHashMap.class.getName());
  }

  @Test
  void untypedLoad_ofAnUnmodifiableCollectionAnEarlierVersionRecorded_loadsToo_otherJdkClassesStayRefused()
      throws IOException {
    registry.save("old", new LinkedHashMap<>(Map.of("a", 1)));
    ForgedManifest.rewrite(root, "old", "1.0.0", m -> m.put("objectClass", "java.util.ImmutableCollections$MapN"));
    registry.save("scanner", new LinkedHashMap<>(Map.of("a", 1)));
    ForgedManifest.rewrite(root, "scanner", "1.0.0", m -> m.put("objectClass", "java.util.Scanner"));

    assertThat(registry.load("old")).isEqualTo(Map.of("a", 1));
    assertThatThrownBy(() -> registry.load("scanner")).isInstanceOf(MaterializerException.class)
        .hasMessageContaining("java.util.Scanner").hasMessageContaining("allowTypes(");
  }

  @Test
  void malformedManifests_areErrorsNamingTheKeyAndTheRule_neverAParserClass() throws IOException {
    registry.save("victim", "v");
    Path stored = root.resolve("meta/victim/1.0.0.json");
    String valid = Files.readString(stored);
    Map<String, String> rules = new java.util.LinkedHashMap<>();
    rules.put("{\"manifest\":null}", "missing");
    rules.put("{}", "missing");
    rules.put("[]", "object");
    rules.put("null", "empty");
    rules.put("\"text\"", "object");
    rules.put(valid.substring(0, valid.length() / 2), "JSON");
    rules.put(valid.replaceFirst("\"files\":\\[", "\"files\":\"no\",\"x\":["), "files");
    rules.put(valid.replaceFirst("\"schema\":1", "\"schema\":\"one\""), "schema");
    rules.put(valid.replaceFirst("\"version\":\"1.0.0\"", "\"version\":\"1_0\""), "version");
    rules.put(valid.replaceFirst("\"size\":1", "\"size\":{}"), "size");
    for (Map.Entry<String, String> garbage : rules.entrySet()) {
      Files.writeString(stored, garbage.getKey(), StandardCharsets.UTF_8);

      assertThatThrownBy(() -> registry.load("victim@1.0.0")).as(garbage.getKey())
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("victim@1.0.0").hasMessageContaining(garbage.getValue())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("StoredManifest", "com.fasterxml",
              "Deserialization", "dev.arca.registry.internal", "`", "java.lang"));
    }
  }
}
