package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.JanitorReport;
import dev.arca.registry.OnConflict;
import dev.arca.registry.Registry;
import dev.arca.registry.RegistryException;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.spi.Condition;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The janitor's safety does not depend on any process's clock or settings (issue 13, defect 3): ages come from
 * the store's clock, the grace period is the registry's, and how long a write took is measured on a monotonic
 * clock.
 */
class JanitorSafetyTest {

  private static final Duration HOUR = Duration.ofHours(1);

  private final ManualClock storeClock = ManualClock.startingNow();
  private final InMemoryBlobStore store = InMemoryBlobStore.builder().clock(storeClock).build();

  private Registry.Builder registry() {
    return Registry.builder().blobStore(store);
  }

  /** Starts a save that blocks after its first file until released; returns once that file is written. */
  private static CompletableFuture<?> inFlightWrite(Registry writer, RegistryContract.BlockingMaterializer blocking)
      throws InterruptedException {
    CompletableFuture<?> save = CompletableFuture.runAsync(() -> writer.save("inflight", "data",
        SaveOptions.defaults().withMaterializer("test.blocking")));
    assertThat(blocking.written.await(1, TimeUnit.MINUTES)).isTrue();
    return save;
  }

  @Test
  void aJanitorWhoseClockIsHoursAhead_neverRemovesAnInFlightWrite() throws Exception {
    RegistryContract.BlockingMaterializer blocking = new RegistryContract.BlockingMaterializer();
    try (Registry writer = registry().materializer(blocking).build();
        Registry janitor = registry().clock(new ManualClock(storeClock.instant().plus(HOUR.multipliedBy(3))))
            .build()) {
      writer.save("created", new byte[] {0});
      CompletableFuture<?> save = inFlightWrite(writer, blocking);

      JanitorReport report = janitor.janitor(true);
      blocking.release.countDown();
      save.get(1, TimeUnit.MINUTES);

      assertThat(report.orphans()).isEmpty();
      assertThat(writer.get("inflight")).isEqualTo("data");
    }
  }

  @Test
  void aProcessAskingForAShorterGracePeriod_cannotRunTheJanitor_soTheInFlightWriteLands() throws Exception {
    RegistryContract.BlockingMaterializer blocking = new RegistryContract.BlockingMaterializer();
    try (Registry writer = registry().materializer(blocking).gracePeriod(HOUR).build()) {
      writer.save("created", new byte[] {0});
      CompletableFuture<?> save = inFlightWrite(writer, blocking);
      storeClock.advance(Duration.ofMinutes(10));

      assertThatThrownBy(() -> registry().gracePeriod(Duration.ofMinutes(5)).build().janitor(true))
          .isInstanceOf(RegistryException.class).hasMessageContaining("gracePeriod");
      blocking.release.countDown();
      save.get(1, TimeUnit.MINUTES);

      assertThat(writer.get("inflight")).isEqualTo("data");
    }
  }

  @Test
  void aJanitorOpenedBeforeTheRegistryExisted_withAShorterGracePeriod_usesTheStoredOne() throws Exception {
    RegistryContract.BlockingMaterializer blocking = new RegistryContract.BlockingMaterializer();
    try (Registry janitor = registry().gracePeriod(Duration.ofMinutes(1)).build(); // nothing stored yet
        Registry writer = registry().materializer(blocking).gracePeriod(HOUR).build()) {
      writer.save("created", new byte[] {0}); // creates the registry with an hour's grace
      CompletableFuture<?> save = inFlightWrite(writer, blocking);
      storeClock.advance(Duration.ofMinutes(10));

      assertThatThrownBy(() -> janitor.janitor(true))
          .isInstanceOf(RegistryException.class).hasMessageContaining("gracePeriod");
      blocking.release.countDown();
      save.get(1, TimeUnit.MINUTES);

      assertThat(writer.get("inflight")).isEqualTo("data");
    }
  }

  @Test
  void aJanitorOnALocationWithNoRegistry_removesNothing() throws Exception {
    store.put("objects/m/01b8dac5-e34c-7434-8475-eb4d5b3305b1/text", new byte[] {1}, Condition.NONE);
    storeClock.advance(HOUR.multipliedBy(3));
    try (Registry janitor = registry().gracePeriod(Duration.ofMinutes(1)).build()) {
      JanitorReport report = janitor.janitor(true);

      assertThat(report.orphans()).isEmpty();
      assertThat(store.keys()).contains("objects/m/01b8dac5-e34c-7434-8475-eb4d5b3305b1/text");
    }
  }

  @Test
  void anOverwriteByAProcessWhoseClockIsHoursBehind_keepsTheReplacedFilesForTheGracePeriod() {
    try (Registry registry = registry().mutable(true).build();
        Registry late = registry().clock(new ManualClock(storeClock.instant().minus(HOUR.multipliedBy(3)))).build()) {
      registry.save("m@1.0.0", "old");
      storeClock.advance(HOUR.multipliedBy(2)); // the old files are old now

      late.save("m@1.0.0", "new", SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE));

      assertThat(registry.janitor(true).orphans()).as("replaced a moment ago, by the store's clock").isEmpty();
      storeClock.advance(HOUR.plusMinutes(1));
      assertThat(registry.janitor(true).orphans()).as("replaced over an hour ago").hasSize(1);
      assertThat(registry.get("m@1.0.0")).isEqualTo("new");
    }
  }

  @Test
  void aWriterWhoseWallClockJumpsAnHour_stillCommits_forItsTickerSaysItWasQuick() {
    ManualClock jumpy = ManualClock.startingNow();
    RegistryContract.BlockingMaterializer jumpDuringWrite = new RegistryContract.BlockingMaterializer();
    try (Registry writer = registry().clock(jumpy).materializer(jumpDuringWrite).build()) {
      writer.save("created", new byte[] {0});
      CompletableFuture<?> save = CompletableFuture.runAsync(() -> writer.save("m", "v",
          SaveOptions.defaults().withMaterializer("test.blocking")));
      try {
        assertThat(jumpDuringWrite.written.await(1, TimeUnit.MINUTES)).isTrue();
        jumpy.advance(HOUR.multipliedBy(2));
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      } finally {
        jumpDuringWrite.release.countDown();
      }
      save.join();

      assertThat(writer.get("m")).isEqualTo("v");
    }
  }

  @Test
  void aWriteThatTookMoreThanHalfTheGracePeriodByItsTicker_isRefusedBeforeItCommits() {
    AtomicLong nanos = new AtomicLong();
    try (Registry writer = registry().ticker(nanos::get).materializer(new SlowMaterializer(nanos)).build()) {
      writer.save("created", new byte[] {0});

      assertThatThrownBy(() -> writer.save("m", "v", SaveOptions.defaults().withMaterializer("test.slow")))
          .isInstanceOf(RegistryException.class).hasMessageContaining("half");
      assertThat(writer.versions("m")).isEmpty();
    }
  }

  /** Writes one file and lets the ticker run 31 minutes meanwhile. */
  private static final class SlowMaterializer implements dev.arca.registry.spi.Materializer<String> {
    private final AtomicLong nanos;

    SlowMaterializer(AtomicLong nanos) {
      this.nanos = nanos;
    }

    @Override
    public String id() {
      return "test.slow";
    }

    @Override
    public boolean supports(Class<?> type) {
      return type == String.class;
    }

    @Override
    public void write(String value, dev.arca.registry.spi.ArtifactWriter out) throws java.io.IOException {
      try (var file = out.file("data")) {
        file.write(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      nanos.addAndGet(Duration.ofMinutes(31).toNanos());
    }

    @Override
    public <S extends String> S read(dev.arca.registry.spi.ArtifactReader in, Class<S> type) {
      throw new UnsupportedOperationException();
    }
  }
}
