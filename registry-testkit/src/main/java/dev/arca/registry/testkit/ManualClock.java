package dev.arca.registry.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that stands still until a test moves it. Thread-safe. */
public final class ManualClock extends Clock {

  private final AtomicReference<Instant> now;

  /**
   * Starts at {@code start}.
   *
   * @param start the initial instant
   */
  public ManualClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  /**
   * Starts at the current system time, so files written now have plausible ages.
   *
   * @return the clock
   */
  public static ManualClock startingNow() {
    return new ManualClock(Instant.now());
  }

  /**
   * Moves the clock forward.
   *
   * @param amount how far
   */
  public void advance(Duration amount) {
    now.updateAndGet(t -> t.plus(amount));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
