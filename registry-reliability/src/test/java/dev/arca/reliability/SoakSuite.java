package dev.arca.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.FileEntry;
import dev.arca.registry.Manifest;
import dev.arca.registry.OnConflict;
import dev.arca.registry.Registry;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.Version;
import dev.arca.registry.testkit.Race;
import dev.arca.registry.testkit.TestFiles;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak: threads mixing saves (racing auto-increments), loads, overwrites, deletes and janitor runs for
 * {@code -Darca.soak.seconds} (default 30), then the invariants: every acknowledged write still readable with its
 * digest, versions unique and dense under auto-increment, deleted versions gone, and no orphan older than the
 * grace period once the janitor has run past it.
 */
abstract class SoakSuite {

  static final int THREADS = 6;

  /** A registry on this test's storage, mutable, with this clock and grace period. */
  abstract Registry.Builder registry(java.time.Clock clock, Duration grace);

  /** The directory holding the storage's files, whose modification times are the store's clock. */
  abstract java.nio.file.Path storageRoot();

  /** Whether overwrites of one version may race (needs atomic compare-and-swap in the server). */
  abstract boolean racingOverwrites();

  @Test
  void mixedLoad_keepsEveryInvariant() throws java.io.IOException {
    long seconds = Long.getLong("arca.soak.seconds", 30);
    Duration grace = Duration.ofMinutes(10);
    Map<String, String> acknowledged = new ConcurrentHashMap<>(); // name@version -> digest, still expected
    Map<String, Set<String>> overwrites = new ConcurrentHashMap<>(); // ow key -> every acknowledged digest
    Map<String, List<Version>> sequences = new ConcurrentHashMap<>();
    Set<String> deleted = ConcurrentHashMap.newKeySet();
    AtomicLong operations = new AtomicLong();
    Instant end = Instant.now().plusSeconds(seconds);

    try (Registry registry = registry(java.time.Clock.systemUTC(), grace).build()) {
      List<Race.Outcome<Void>> outcomes = Race.run(THREADS, t -> {
        Random random = new Random(t);
        int n = 0;
        while (Instant.now().isBefore(end)) {
          n++;
          int op = random.nextInt(100);
          if (op < 40) { // racing auto-increments on shared names
            String name = "seq-" + (t % 2);
            Manifest m = registry.save(name, payload(random, t, n));
            acknowledged.put(name + "@" + m.version(), m.digest());
            sequences.computeIfAbsent(name, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(m.version());
          } else if (op < 60) {
            List<String> keys = new ArrayList<>(acknowledged.keySet());
            if (!keys.isEmpty()) {
              String key = keys.get(random.nextInt(keys.size()));
              assertWhole(registry, key, acknowledged.get(key));
            }
          } else if (op < 75) {
            String key = "ow-" + (racingOverwrites() ? random.nextInt(2) : t) + "@1.0.0";
            Manifest m = registry.save(key, payload(random, t, n),
                SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE));
            overwrites.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(m.digest());
          } else if (op < 95) {
            String name = "del-" + t;
            Manifest m = registry.save(name, payload(random, t, n));
            String key = name + "@" + m.version();
            deleted.remove(key); // a deleted latest version's number is given out again: one thread per del name
            if (random.nextBoolean()) {
              registry.delete(key);
              deleted.add(key);
            } else {
              acknowledged.put(key, m.digest());
            }
          } else {
            assertThat(registry.janitor(true).orphans()).as("nothing is an orphan within the grace period")
                .isEmpty();
          }
          operations.incrementAndGet();
        }
        return null;
      });
      assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).as("a soak thread failed").isNull());
    }

    TestFiles.age(storageRoot(), grace.plusSeconds(60)); // the store's clock past the grace period
    try (Registry registry = registry(java.time.Clock.systemUTC(), grace).build()) {
      registry.janitor(true);
      assertThat(registry.janitor(false).orphans()).as("orphans past the grace period").isEmpty();
      for (Map.Entry<String, List<Version>> seq : sequences.entrySet()) {
        List<Version> acked = new ArrayList<>(seq.getValue());
        acked.sort(null);
        assertThat(acked).doesNotHaveDuplicates();
        assertThat(acked).extracting(Version::toString)
            .isEqualTo(IntStream.range(0, acked.size()).mapToObj(i -> "1.0." + i).toList());
        assertThat(registry.versions(seq.getKey())).isEqualTo(acked);
      }
      acknowledged.forEach((key, digest) -> assertWhole(registry, key, digest));
      overwrites.forEach((key, digests) -> {
        assertThat(digests).contains(registry.info(key).digest());
        assertWhole(registry, key, registry.info(key).digest());
      });
      for (String key : deleted) {
        assertThat(registry.exists(key)).as("deleted " + key).isFalse();
      }
    }
    System.out.println("soak figures " + getClass().getSimpleName() + ": operations=" + operations.get()
        + " acknowledged=" + acknowledged.size() + " deleted=" + deleted.size() + " seconds=" + seconds);
    assertThat(operations.get()).isPositive();
  }

  private static Object payload(Random random, int thread, int n) {
    byte[] bytes = new byte[random.nextInt(32 << 10)];
    random.nextBytes(bytes);
    return random.nextInt(4) == 0 ? ("thread " + thread + " op " + n) : bytes;
  }

  private static void assertWhole(Registry registry, String key, String digest) {
    Manifest m = registry.info(key);
    assertThat(m.digest()).as(key).isEqualTo(digest);
    for (FileEntry f : m.files()) {
      try (InputStream in = registry.openFile(key, f.path())) {
        assertThat(TestFiles.sha256(in)).as(key + " " + f.path()).isEqualTo(f.sha256());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
