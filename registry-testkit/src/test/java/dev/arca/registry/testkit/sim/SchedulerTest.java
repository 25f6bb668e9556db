package dev.arca.registry.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.spi.Condition;
import dev.arca.registry.testkit.InMemoryBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The harness itself: it is deterministic, it replays, it never hangs, and a crash runs no store call after it. */
class SchedulerTest {

  private static final Scenario MIXED = Scenario.builder("harness check").mutable()
      .process(Scenario.ProcessSpec.standard()).process(Scenario.ProcessSpec.standard())
      .actors(Scenario.Role.WRITER, 0, 1, 3)
      .actors(Scenario.Role.OVERWRITER, 1, 1, 3)
      .actors(Scenario.Role.READER, 0, 1, 3)
      .faults(FaultMix.none().with(Fault.ERROR_AFTER, 0.05).with(Fault.SLOW_RESPONSE, 0.05)
          .with(Fault.CLOCK_JUMP, 0.02))
      .build();

  @Test
  void sameSeed_takesTheSameSchedule() {
    for (long seed = 1; seed <= 5; seed++) {
      Simulation.Result first = Simulation.run(MIXED, seed, null);
      Simulation.Result second = Simulation.run(MIXED, seed, null);
      assertThat(decisions(second)).isEqualTo(decisions(first));
      assertThat(second.violations().stream().map(Violation::kind).toList())
          .isEqualTo(first.violations().stream().map(Violation::kind).toList());
    }
  }

  @Test
  void replayingATakenSchedule_reproducesTheRun() {
    Simulation.Result run = Simulation.run(MIXED, 7, null);
    Simulation.Result replay = Simulation.run(MIXED, 7, run.choices());
    assertThat(decisions(replay)).isEqualTo(decisions(run));
  }

  @Test
  void actorBlockedOutsideAStoreCall_isReportedAsADeadlockWithItsStack() {
    VirtualTime time = new VirtualTime(new long[] {0});
    Scheduler scheduler = new Scheduler(time, FaultMix.none(), new Random(1), null, 300);
    SimStore store = new SimStore(InMemoryBlobStore.create(), scheduler, new SimStore.Ledger(v -> { }), 0);
    ReentrantLock lock = new ReentrantLock();
    scheduler.add("holder", 0, () -> {
      lock.lock(); // parks at the store call below while holding the lock, until the run is killed
      try {
        head(store, "k");
      } finally {
        lock.unlock();
      }
    });
    scheduler.add("waiter", 0, () -> {
      lock.lock();
      head(store, "k");
    });
    try {
      assertThatThrownBy(scheduler::start).isInstanceOf(Scheduler.Stall.class)
          .hasMessageContaining("scheduler deadlock").hasMessageContaining("waiter")
          .hasMessageContaining("ReentrantLock").hasMessageContaining("holder at head k");
    } finally {
      scheduler.kill();
    }
  }

  @Test
  void crashedActor_makesNoStoreCallWhileItUnwinds() throws Exception {
    InMemoryBlobStore raw = InMemoryBlobStore.create();
    VirtualTime time = new VirtualTime(new long[] {0});
    Scheduler scheduler = new Scheduler(time, FaultMix.none().with(Fault.CRASH, 1.0), new Random(1), null, 5_000);
    SimStore store = new SimStore(raw, scheduler, new SimStore.Ledger(v -> { }), 0);
    scheduler.add("crasher", 0, () -> {
      try {
        put(store, "first");
      } finally {
        put(store, "cleanup"); // a finally block: a crashed process never runs it against the store
      }
    });
    scheduler.start();
    assertThat(scheduler.step()).isTrue();
    assertThat(scheduler.step()).as("the crashed actor is no longer scheduled").isFalse();
    scheduler.kill();
    assertThat(raw.keys()).isEmpty();
    assertThat(scheduler.injected()).containsEntry(Fault.CRASH, 1);
  }

  private static List<String> decisions(Simulation.Result r) {
    return r.choices().stream().map(c -> c.actor() + " " + c.fault() + " " + c.holdSteps() + " " + c.millis())
        .toList();
  }

  private static void head(SimStore store, String key) {
    try {
      store.head(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void put(SimStore store, String key) {
    try {
      store.put(key, key.getBytes(StandardCharsets.UTF_8), Condition.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
