package dev.arca.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.FileEntry;
import dev.arca.registry.JanitorReport;
import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import dev.arca.registry.Version;
import dev.arca.registry.testkit.ChildJvm;
import dev.arca.registry.testkit.TestFiles;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child JVM saving in a loop is killed with SIGKILL at a random point, many times; after every kill no version
 * is partly visible, every acknowledged version loads with its digest, and the janitor (the storage aged past the grace
 * period) reclaims every orphan and nothing else. {@code -Darca.crash.kills=N} sets the number of kills.
 */
abstract class CrashSuite {

  /** How far the storage is aged before each janitor run: past the registry's (default) grace period. */
  static final Duration PAST_GRACE = Registry.DEFAULT_GRACE_PERIOD.multipliedBy(2);

  /** The registry the child writes to. */
  abstract URI uri();

  /** Environment for the child (credentials). */
  abstract Map<String, String> childEnvironment();

  /** A registry on the same storage for the checks, reading uncached. */
  abstract Registry.Builder verifier();

  /** The directory holding the storage's files, whose modification times are the store's clock. */
  abstract Path storageRoot();

  /**
   * Makes everything stored look older by {@code by} to the store's clock, as the janitor reads it: by default
   * the files under {@link #storageRoot()} get older modification times.
   */
  void ageStorage(Duration by) throws Exception {
    TestFiles.age(storageRoot(), by);
  }

  /** Files the storage holds that no key accounts for (temp files a crash left), after the janitor ran. */
  abstract long strayFiles() throws Exception;

  /** How many times a child is killed ({@code -Darca.crash.kills}, default 50). */
  int kills() {
    return Integer.getInteger("arca.crash.kills", 50);
  }

  /** The kill lands at a random moment within this long after the child is ready. */
  int killWindowMillis() {
    return 700;
  }

  /** The figures of the last run, for docs/RELIABILITY.md. */
  record Figures(int kills, int acknowledged, int versions, int orphansReclaimed, int killsMidSave) {}

  @Test
  void killedWriters_leaveNoPartialVersion_loseNoAcknowledgedWrite_andTheJanitorReclaimsEveryOrphan()
      throws Exception {
    int kills = kills();
    Random random = new Random(20261123);
    Map<String, String> acknowledged = new HashMap<>();
    Set<String> verified = new HashSet<>();
    int orphans = 0;
    int killsWithOrphans = 0;
    try (Registry registry = verifier().build()) {
      for (int k = 0; k < kills; k++) {
        List<String> acks = runAndKill(random.nextLong(), random.nextInt(killWindowMillis()));
        for (String ack : acks) {
          String[] parts = ack.split(" ");
          acknowledged.put(parts[1], parts[2]);
        }

        // Every listed version is whole: its manifest digest holds and every file reads back with its sha256.
        for (String name : registry.names()) {
          for (Version v : registry.versions(name)) {
            String key = name + "@" + v;
            if (verified.add(key)) {
              assertWhole(registry, key);
            }
          }
        }
        // Every acknowledged version is there, with the digest the writer was told.
        for (Map.Entry<String, String> ack : acknowledged.entrySet()) {
          assertThat(registry.info(ack.getKey()).digest()).as("acknowledged " + ack.getKey()).isEqualTo(ack.getValue());
        }
        // The janitor, past the grace period (by the store's clock), reclaims every orphan and nothing else.
        ageStorage(PAST_GRACE);
        JanitorReport reclaimed = registry.janitor(true);
        orphans += reclaimed.orphans().size();
        killsWithOrphans += reclaimed.orphans().isEmpty() ? 0 : 1;
        assertThat(registry.janitor(false).orphans()).as("orphans left after kill " + k).isEmpty();
        assertThat(strayFiles()).as("stray files after kill " + k).isZero();
        int listed = registry.listAll().values().stream().mapToInt(List::size).sum();
        assertThat(listed).as("versions after the janitor").isEqualTo(verified.size());
      }
      for (String key : verified) {
        assertWhole(registry, key); // nothing the janitor did touched a committed version
      }
    }
    Figures figures = new Figures(kills, acknowledged.size(), verified.size(), orphans, killsWithOrphans);
    System.out.println("crash figures " + getClass().getSimpleName() + ": " + figures);
    assertThat(killsWithOrphans).as("some kills landed mid-save").isPositive();
  }

  /** Starts the child, lets it save for {@code millis} after it is ready, kills it; returns its ACK lines. */
  private List<String> runAndKill(long seed, int millis) throws Exception {
    Process child = ChildJvm.start(CrashChild.class, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
        childEnvironment(), uri().toString(), Long.toString(seed));
    CountDownLatch ready = new CountDownLatch(1);
    List<String> acks = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          if (line.equals("READY")) {
            ready.countDown();
          } else if (line.startsWith("ACK ")) {
            synchronized (acks) {
              acks.add(line);
            }
          }
        }
      } catch (java.io.IOException ignored) {
        // the pipe closes when the child dies
      }
    });
    reader.start();
    try {
      assertThat(ready.await(2, TimeUnit.MINUTES)).as("child opened the registry").isTrue();
      // The kill point: a random moment in the save loop (not a synchronization).
      Thread.sleep(millis);
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
      child.waitFor(1, TimeUnit.MINUTES);
      reader.join(TimeUnit.MINUTES.toMillis(1));
    }
    synchronized (acks) {
      return new ArrayList<>(acks);
    }
  }

  private static void assertWhole(Registry registry, String key) throws Exception {
    Manifest m = registry.info(key);
    assertThat(m.digestMatches()).as("manifest digest of " + key).isTrue();
    for (FileEntry f : m.files()) {
      try (InputStream in = registry.openFile(key, f.path())) {
        assertThat(TestFiles.sha256(in)).as(key + " file " + f.path()).isEqualTo(f.sha256());
      }
    }
  }
}
