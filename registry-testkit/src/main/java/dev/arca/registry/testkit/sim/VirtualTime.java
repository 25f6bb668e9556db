package dev.arca.registry.testkit.sim;

import dev.arca.registry.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The simulation's time: one store clock (it stamps {@code BlobInfo.lastModified}) that the scheduler moves at
 * every step, and one clock per simulated process, the store clock plus that process's offset (a host clock
 * running ahead or behind, which clock-jump faults change), and one monotonic ticker. Thread-safe.
 */
final class VirtualTime {

  /** Simulated start: a fixed instant, so a seed's timestamps are the same in every run. */
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  private final ManualClock store = new ManualClock(START);
  private final AtomicLongArray offsets;

  VirtualTime(long[] processOffsetsMillis) {
    this.offsets = new AtomicLongArray(processOffsetsMillis);
  }

  Clock store() {
    return store;
  }

  /**
   * Every process's monotonic ticker (what {@code Registry.Builder.ticker} reads): the store's virtual time in
   * nanoseconds, which clock jumps do not move, so a writer's elapsed time is the virtual time that passed.
   */
  long nanos() {
    return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(store.millis());
  }

  void advance(long millis) {
    store.advance(Duration.ofMillis(millis));
  }

  void jump(int process, long millis) {
    offsets.addAndGet(process, millis);
  }

  Clock process(int process) {
    return new Clock() {
      @Override
      public Instant instant() {
        return store.instant().plusMillis(offsets.get(process));
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
  }
}
