package dev.arca.registry.testkit.sim;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Lets exactly one pending store call proceed at a time. Actors are real threads; each parks at every store call
 * ({@link #request}). The driver ({@link #step}) waits until every live actor is parked or finished, then picks
 * one parked actor and its fault with the seeded {@link Random} (or from a recorded schedule when replaying),
 * advances virtual time, and lets that one actor run until it parks again. So a seed, or a recorded list of
 * {@link Choice}s, fixes the interleaving, and only one actor thread runs at any moment.
 *
 * <h2>No unbounded waits</h2>
 * The driver waits for quiescence at most {@code stallMillis}; an actor that neither parks nor finishes in that
 * time (blocked on a lock of the code under test, or spinning) is reported with thread dumps as a
 * {@link Stall}. Parked actors wake every second to check whether the run was killed.
 *
 * <h2>Crashes</h2>
 * A crashed actor parks for good: nothing after its call runs. When the run ends, {@link #kill()} wakes every
 * actor with {@link Killed}, an {@link Error} that unwinds the thread; any store call made while unwinding (a
 * {@code finally} block) throws {@link Killed} again without touching the store, so a crash stays a crash.
 *
 * <p>Thread-safe: all state is guarded by one monitor.
 */
final class Scheduler {

  /** Virtual time per step: an odd number of milliseconds, so uuid timestamps of different steps differ. */
  static final long TICK_MILLIS = 1009;

  /** Unwinds an actor thread at the end of a run; never caught by the code under test (it is an Error). */
  static final class Killed extends Error {
    private static final long serialVersionUID = 1L;

    Killed() {
      super("simulated process killed", null, false, false);
    }
  }

  /** An actor that neither parked nor finished in time: a deadlock or livelock outside the store. */
  static final class Stall extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stall(String message) {
      super(message);
    }
  }

  enum State { NEW, RUNNING, PARKED, CRASHED, DONE }

  record Grant(Fault fault, long holdSteps) {}

  private static final class Slot {
    final int index;
    final String label;
    final int process;
    @Nullable Thread thread;
    State state = State.NEW;
    @Nullable Call call;
    boolean responsePhase;
    long heldUntil;
    @Nullable Grant grant;
    int opFaults;

    Slot(int index, String label, int process) {
      this.index = index;
      this.label = label;
      this.process = process;
    }
  }

  private final Object monitor = new Object();
  private final List<Slot> slots = new ArrayList<>();
  private final ThreadLocal<Slot> current = new ThreadLocal<>();
  private final VirtualTime time;
  private final FaultMix mix;
  private final Random random;
  private final @Nullable List<Choice> replay;
  private final long stallMillis;
  private final List<Choice> taken = new ArrayList<>();
  private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
  private long step;
  private boolean active;
  private volatile boolean killed;

  /**
   * @param replay null to draw every choice from {@code random}; else the choices to follow, after which (or
   *     where one names an actor that is not parked) the lowest parked actor proceeds without a fault
   */
  Scheduler(VirtualTime time, FaultMix mix, Random random, @Nullable List<Choice> replay, long stallMillis) {
    this.time = time;
    this.mix = mix;
    this.random = random;
    this.replay = replay;
    this.stallMillis = stallMillis;
  }

  /** Registers an actor; its thread starts in {@link #start()}. */
  void add(String label, int process, Runnable body) {
    Slot slot = new Slot(slots.size(), label, process);
    Thread thread = new Thread(() -> {
      current.set(slot);
      try {
        body.run();
      } catch (Killed expected) {
        // the run ended while this actor was parked or crashed
      } finally {
        synchronized (monitor) {
          if (slot.state != State.CRASHED) {
            slot.state = State.DONE;
          }
          monitor.notifyAll();
        }
      }
    }, "sim-" + label);
    thread.setDaemon(true); // a stalled actor is abandoned, never waited for
    slot.thread = thread;
    slots.add(slot);
  }

  /** Starts the actors one at a time, each running until its first store call, so the start is deterministic. */
  void start() {
    synchronized (monitor) {
      active = true;
    }
    for (Slot slot : slots) {
      time.advance(TICK_MILLIS); // each actor's first steps (a uuid's timestamp) at its own instant
      synchronized (monitor) {
        slot.state = State.RUNNING;
      }
      java.util.Objects.requireNonNull(slot.thread).start();
      awaitQuiescent();
    }
  }

  /**
   * Lets one parked call proceed and waits until every actor is parked or finished again.
   *
   * @return false when no actor is parked (all finished or crashed)
   */
  boolean step() {
    synchronized (monitor) {
      List<Slot> parked = slots.stream().filter(s -> s.state == State.PARKED).toList();
      if (parked.isEmpty()) {
        return false;
      }
      List<Slot> eligible = parked.stream().filter(s -> s.heldUntil <= step).toList();
      if (eligible.isEmpty()) { // everyone is held back: the earliest release goes first
        long first = parked.stream().mapToLong(s -> s.heldUntil).min().orElseThrow();
        eligible = parked.stream().filter(s -> s.heldUntil == first).toList();
      }
      Choice planned = replay != null && step < replay.size() ? replay.get((int) step) : null;
      Slot chosen;
      Fault fault;
      long hold = 0;
      long millis = 0;
      if (planned != null && planned.actor() < slots.size() && slots.get(planned.actor()).state == State.PARKED) {
        chosen = slots.get(planned.actor());
        fault = planned.fault();
        hold = planned.holdSteps();
        millis = planned.millis();
      } else if (replay != null) {
        chosen = eligible.get(0);
        fault = Fault.NONE;
      } else {
        chosen = eligible.get(random.nextInt(eligible.size()));
        fault = chosen.responsePhase ? Fault.NONE : mix.draw(random, java.util.Objects.requireNonNull(chosen.call)
            .mutation());
        if (fault == Fault.SLOW_REQUEST || fault == Fault.SLOW_RESPONSE) {
          hold = 2 + random.nextInt(20);
          millis = 5_000 + random.nextInt(15 * 60_000);
        } else if (fault == Fault.CLOCK_JUMP) {
          long[] sizes = {7_013, 3 * 60_000 + 17, 3_600_000 + 29, 3 * 3_600_000 + 31};
          millis = sizes[random.nextInt(sizes.length)] * (random.nextBoolean() ? 1 : -1);
        }
      }
      if (chosen.responsePhase || (fault.mutationOnly() && !java.util.Objects.requireNonNull(chosen.call)
          .mutation())) {
        fault = Fault.NONE; // a held response is only ever delivered; a replayed write fault never hits a read
      }
      step++;
      time.advance(TICK_MILLIS + (fault == Fault.SLOW_REQUEST || fault == Fault.SLOW_RESPONSE ? millis : 0));
      String what = chosen.label + ": " + (chosen.responsePhase ? "response to " : "") + chosen.call;
      taken.add(new Choice(chosen.index, fault, hold, millis, what));
      if (fault != Fault.NONE) {
        injected.merge(fault, 1, Integer::sum);
      }
      if (fault == Fault.SLOW_REQUEST) {
        chosen.heldUntil = step + hold;
        return true; // held back: still parked, others proceed
      }
      if (fault == Fault.CLOCK_JUMP) {
        time.jump(chosen.process, millis);
      }
      if (fault.failsTheCall()) {
        chosen.opFaults++;
      }
      chosen.heldUntil = 0;
      chosen.state = State.RUNNING;
      chosen.grant = new Grant(fault == Fault.CLOCK_JUMP ? Fault.NONE : fault, hold);
      monitor.notifyAll();
    }
    awaitQuiescent();
    return true;
  }

  /**
   * Parks the calling actor at a store call until the scheduler picks it.
   *
   * @return the fault to apply; {@link Fault#NONE} outside a run (setting up, on the driver thread)
   * @throws Killed when the run has ended
   */
  Grant request(Call call) {
    Slot slot = current.get();
    synchronized (monitor) {
      if (killed) {
        throw new Killed();
      }
      if (slot == null) {
        if (active) {
          throw new IllegalStateException("store call " + call + " from thread " + Thread.currentThread().getName()
              + ", which is not a simulated actor: the code under test started its own thread");
        }
        return new Grant(Fault.NONE, 0);
      }
      slot.call = call;
      slot.responsePhase = false;
      return park(slot);
    }
  }

  /** Parks the calling actor after its call was applied, until the scheduler delivers the response. */
  void holdResponse(long holdSteps) {
    Slot slot = java.util.Objects.requireNonNull(current.get());
    synchronized (monitor) {
      slot.responsePhase = true;
      slot.heldUntil = step + holdSteps;
      park(slot);
      slot.responsePhase = false;
    }
  }

  /** The calling actor's process dies: it parks until the run is killed, then unwinds with {@link Killed}. */
  void crash() {
    Slot slot = java.util.Objects.requireNonNull(current.get());
    synchronized (monitor) {
      slot.state = State.CRASHED;
      monitor.notifyAll();
      while (!killed) {
        waitBriefly();
      }
    }
    throw new Killed();
  }

  /** Marks the start of an actor's operation, for {@link #opFaults()}. */
  void beginOp() {
    Slot slot = current.get();
    if (slot != null) {
      synchronized (monitor) {
        slot.opFaults = 0;
      }
    }
  }

  /** Faults that failed a call of the calling actor since its {@link #beginOp()}. */
  int opFaults() {
    Slot slot = current.get();
    synchronized (monitor) {
      return slot == null ? 0 : slot.opFaults;
    }
  }

  /** Ends the run: wakes every actor with {@link Killed} and waits briefly for the threads to unwind. */
  void kill() {
    List<Thread> threads = new ArrayList<>();
    synchronized (monitor) {
      killed = true;
      monitor.notifyAll();
      slots.forEach(s -> {
        if (s.thread != null && s.thread.isAlive()) {
          threads.add(s.thread);
        }
      });
    }
    for (Thread t : threads) {
      try {
        t.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  long steps() {
    synchronized (monitor) {
      return step;
    }
  }

  List<Choice> taken() {
    synchronized (monitor) {
      return List.copyOf(taken);
    }
  }

  Map<Fault, Integer> injected() {
    synchronized (monitor) {
      return Map.copyOf(injected);
    }
  }

  private Grant park(Slot slot) {
    slot.state = State.PARKED;
    slot.grant = null;
    monitor.notifyAll();
    while (slot.grant == null) {
      if (killed) {
        throw new Killed();
      }
      waitBriefly();
    }
    Grant grant = slot.grant;
    slot.grant = null;
    return grant;
  }

  private void awaitQuiescent() {
    long deadline = System.nanoTime() + stallMillis * 1_000_000;
    synchronized (monitor) {
      while (slots.stream().anyMatch(s -> s.state == State.RUNNING)) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new Stall(stallReport());
        }
        try {
          monitor.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Stall("interrupted while waiting for the actors");
        }
      }
    }
  }

  private String stallReport() {
    StringBuilder report = new StringBuilder("scheduler deadlock at step " + step + ": these actors neither reached"
        + " a store call nor finished within " + stallMillis + " ms (blocked outside the store, e.g. on a lock"
        + " held by a parked actor, or spinning):");
    for (Slot s : slots) {
      if (s.state == State.RUNNING && s.thread != null) {
        report.append("\n  ").append(s.label).append(" (").append(s.thread.getState()).append(')');
        for (StackTraceElement e : s.thread.getStackTrace()) {
          report.append("\n      at ").append(e);
        }
      }
    }
    report.append("\n  parked:");
    slots.stream().filter(s -> s.state == State.PARKED)
        .forEach(s -> report.append("\n  ").append(s.label).append(" at ").append(s.call));
    return report.toString();
  }

  private void waitBriefly() {
    try {
      monitor.wait(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Killed();
    }
  }
}
