package dev.arca.store;

import com.google.common.collect.testing.MapTestSuiteBuilder;
import com.google.common.collect.testing.SampleElements;
import com.google.common.collect.testing.TestStringMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.MapFeature;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.InMemoryBlobStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import junit.framework.AssertionFailedError;
import junit.framework.TestCase;
import junit.framework.TestFailure;
import junit.framework.TestResult;
import junit.framework.TestSuite;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code Registry.asMap()} and {@code Store.asMap()} against the {@link Map} contract, as Guava testlib's
 * {@link MapTestSuiteBuilder} checks it, over in-memory registries with String values. The features claimed are
 * those the views' javadoc ({@code ObjectMapView}) claims: put, remove, iterator remove, any size; null keys and
 * values are not supported. Each Guava test runs as one JUnit 5 dynamic test.
 */
class MapViewContractTest {

  private static final MapFeature[] PUT_REMOVE = {MapFeature.SUPPORTS_PUT, MapFeature.SUPPORTS_REMOVE};

  @TestFactory
  Stream<DynamicNode> registryAsMap_honoursTheMapContract() {
    List<Registry> opened = Collections.synchronizedList(new ArrayList<>());
    TestStringMapGenerator generator = new TestStringMapGenerator() {
      @Override
      protected Map<String, String> create(Map.Entry<String, String>[] entries) {
        Registry registry = Registry.builder().blobStore(InMemoryBlobStore.create()).build();
        opened.add(registry);
        java.util.Arrays.stream(entries).forEach(e -> registry.put(e.getKey(), e.getValue()));
        return stringView(registry.asMap());
      }
    };
    return run(suite("Registry.asMap", generator), () -> {
      opened.forEach(Registry::close);
      opened.clear();
    });
  }

  @TestFactory
  Stream<DynamicNode> storeAsMap_honoursTheMapContract() {
    List<Store> opened = Collections.synchronizedList(new ArrayList<>());
    TestStringMapGenerator generator = new TestStringMapGenerator() {
      @Override
      public SampleElements<Map.Entry<String, String>> samples() {
        return new SampleElements<>(Map.entry("a/one", "January"), Map.entry("b/two", "February"),
            Map.entry("a/three", "March"), Map.entry("b/four", "April"), Map.entry("a/five", "May"));
      }

      @Override
      protected Map<String, String> create(Map.Entry<String, String>[] entries) {
        Store store = Store.builder()
            .mount("a", Registry.builder().blobStore(InMemoryBlobStore.create()).build())
            .mount("b", Registry.builder().blobStore(InMemoryBlobStore.create()).build())
            .locationMemory(java.time.Duration.ZERO).build();
        opened.add(store);
        java.util.Arrays.stream(entries).forEach(e -> store.put(e.getKey(), e.getValue()));
        return stringView(store.asMap());
      }
    };
    return run(suite("Store.asMap", generator), () -> {
      opened.forEach(Store::close);
      opened.clear();
    });
  }

  private static TestSuite suite(String name, TestStringMapGenerator generator) {
    return MapTestSuiteBuilder.using(generator).named(name)
        .withFeatures(PUT_REMOVE)
        .withFeatures(CollectionFeature.SUPPORTS_ITERATOR_REMOVE, CollectionSize.ANY)
        .createTestSuite();
  }

  /** The views hold Objects; with String values only, they are String maps. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> stringView(Map<String, Object> view) {
    return (Map<String, String>) (Map<String, ?>) view;
  }

  /** Guava's JUnit 3 suite as JUnit 5 dynamic tests; {@code cleanup} runs after each test. */
  private static Stream<DynamicNode> run(junit.framework.Test test, Runnable cleanup) {
    if (test instanceof TestSuite suite) {
      List<DynamicNode> children = new ArrayList<>();
      for (int i = 0; i < suite.testCount(); i++) {
        run(suite.testAt(i), cleanup).forEach(children::add);
      }
      return Stream.of(DynamicContainer.dynamicContainer(String.valueOf(suite.getName()), children.stream()));
    }
    TestCase testCase = (TestCase) test;
    return Stream.of(DynamicTest.dynamicTest(testCase.getName(), () -> {
      TestResult result = new TestResult();
      try {
        testCase.run(result);
      } finally {
        cleanup.run();
      }
      for (TestFailure failure : Collections.list(result.errors())) {
        throw failure.thrownException();
      }
      for (TestFailure failure : Collections.list(result.failures())) {
        AssertionFailedError e = (AssertionFailedError) failure.thrownException();
        throw new AssertionError(e.getMessage(), e);
      }
    }));
  }
}
