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
 * running ahead or behind, which clock-jump faults change). Thread-safe.
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
