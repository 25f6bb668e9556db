package dev.arca.registry.testkit.sim;

import dev.arca.registry.Registry;
import dev.arca.registry.testkit.InMemoryBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link Scenario} over seeds: the real {@link Registry} code, one instance per simulated process, over one
 * {@link InMemoryBlobStore} seen through a {@link SimStore} per process, driven by a seeded {@link Scheduler}.
 *
 * <h2>One run</h2>
 * The registry is created (its settings stored) before the actors start; each process then opens its own
 * {@code Registry} with its clock and builder settings (a process whose settings the stored ones refuse ends
 * there: its actors never run). The driver lets one store call proceed per step and checks the
 * {@link Invariants} every {@link Scenario#checkEvery()} steps and at the end; the run stops at the first
 * violation or after {@link Scenario#maxSteps()} steps, and remaining actors are killed like crashed processes.
 *
 * <h2>A failing seed</h2>
 * {@link #check} replays the first seed that broke each invariant with shorter schedules (a prefix of its choices, then every actor
 * in turn without faults) and with its faults removed one by one, a bounded number of times, and keeps the
 * shortest schedule that still breaks the same invariant. The {@link AssertionError} of
 * {@link Report#assertNoViolations()} prints, per invariant, the seed and that schedule, and the figures.
 *
 * <h2>System properties</h2>
 * {@code arca.sim.seeds} (seeds per property, overriding the test's default), {@code arca.sim.firstSeed}
 * (default 1), {@code arca.sim.verbose} (a line per seed), {@code arca.sim.shrinkRuns} (default 40 per invariant), {@code arca.sim.stallMillis} (default 20000: how long an
 * actor may run without reaching a store call before the run is reported as a deadlock).
 *
 * <h2>Determinism</h2>
 * Given the seed, only the scheduler and the actors' own seeded randoms decide; store etags are counters, times
 * are virtual. Two things outside the seed remain: uuid random bits (ordered by their virtual-time prefix, so they
 * do not change the order of calls unless two attempts start at one virtual millisecond) and the real-time
 * expiry of the {@code CachingBackend}'s version-list cache (2 s), which only a very slow run outlives. A replay
 * that diverges continues with the default policy; shrinking then keeps only replays that still fail.
 *
 * <p>Not thread-safe: one driver at a time.
 */
public final class Simulation {

  private Simulation() {}

  /**
   * The outcome of one run.
   *
   * @param seed the seed
   * @param steps scheduler steps taken
   * @param faults faults injected, by kind
   * @param violations the invariants broken (the run stops at the first check that finds any)
   * @param choices the schedule taken, which replays this run
   */
  public record Result(long seed, long steps, Map<Fault, Integer> faults, List<Violation> violations,
      List<Choice> choices) {

    /**
     * Copies the collections.
     *
     * @param seed see the class description
     * @param steps see the class description
     * @param faults see the class description
     * @param violations see the class description
     * @param choices see the class description
     */
    public Result {
      faults = Collections.unmodifiableMap(new TreeMap<>(faults));
      violations = List.copyOf(violations);
      choices = List.copyOf(choices);
    }

    long faultCount() {
      return choices.stream().filter(c -> c.fault() != Fault.NONE).count();
    }
  }

  /**
   * The first seed that broke one invariant, and the shortest schedule found that breaks it too.
   *
   * @param kind the invariant
   * @param original the seed's run
   * @param shrunk the shortest replay found that breaks the same invariant (cut where it broke it)
   * @param replays replays spent shrinking
   */
  public record Example(Violation.Kind kind, Result original, Result shrunk, int replays) {

    /**
     * The violation, the seed and the schedule, for a failure message.
     *
     * @return the text
     */
    public String describe() {
      Violation first = shrunk.violations().stream().filter(v -> v.kind() == kind).findFirst().orElseThrow();
      Violation seen = original.violations().stream().filter(v -> v.kind() == kind).findFirst().orElseThrow();
      StringBuilder sb = new StringBuilder();
      sb.append(kind).append(", first on seed ").append(original.seed()).append(": ")
          .append(seen);
      sb.append("\n  shortest schedule found: ").append(shrunk.choices().size()).append(" steps, ")
          .append(shrunk.faultCount()).append(" faults (the seed's own run: ").append(original.choices().size())
          .append(" steps, ").append(original.faultCount()).append(" faults; ").append(replays)
          .append(" replays), after which every actor proceeds in turn without faults; it breaks it as\n  ")
          .append(first);
      for (int i = 0; i < shrunk.choices().size(); i++) {
        sb.append(String.format("%n  %4d  %s", i + 1, shrunk.choices().get(i)));
      }
      sb.append("\n  rerun this seed alone: -Darca.sim.firstSeed=").append(original.seed())
          .append(" -Darca.sim.seeds=1 -Darca.sim.verbose=true");
      return sb.toString();
    }
  }

  /**
   * The figures of a property over its seeds, and, per invariant broken, its first failure shrunk.
   *
   * @param scenario the property
   * @param seeds seeds run
   * @param steps steps over all seeds
   * @param faults faults injected over all seeds, by kind
   * @param violations seeds that broke each invariant
   * @param failingSeeds seeds with any violation
   * @param millis wall time of the seeds (shrinking excluded)
   * @param examples per invariant broken, its first seed shrunk
   */
  public record Report(Scenario scenario, int seeds, long steps, Map<Fault, Integer> faults,
      Map<Violation.Kind, Integer> violations, List<Long> failingSeeds, long millis,
      Map<Violation.Kind, Example> examples) {

    /**
     * One line of figures.
     *
     * @return the summary
     */
    public String summary() {
      return "simulation " + scenario.name() + ": " + seeds + " seeds, " + steps + " steps, " + millis + " ms;"
          + " faults " + faults + "; violations " + (violations.isEmpty() ? "none" : violations + " (seeds with"
          + " each; " + failingSeeds.size() + " seeds failed)");
    }

    /**
     * Throws when a seed broke an invariant, with, per invariant, the seed and the shortest schedule found.
     *
     * @throws AssertionError naming the seeds and the schedules
     */
    public void assertNoViolations() {
      if (examples.isEmpty()) {
        return;
      }
      StringBuilder sb = new StringBuilder(summary());
      sb.append("\nfailing seeds: ").append(failingSeeds.subList(0, Math.min(30, failingSeeds.size())))
          .append(failingSeeds.size() > 30 ? "..." : "");
      examples.values().forEach(e -> sb.append("\n\n").append(e.describe()));
      throw new AssertionError(sb.toString());
    }
  }

  /**
   * Runs a property over its seeds ({@code arca.sim.seeds}, else {@code defaultSeeds}), shrinks the first
   * failure of each invariant, and prints the summary line.
   *
   * @param scenario the property
   * @param defaultSeeds seeds when {@code arca.sim.seeds} is unset
   * @return the report; call {@link Report#assertNoViolations()}
   */
  public static Report check(Scenario scenario, int defaultSeeds) {
    int seeds = Integer.getInteger("arca.sim.seeds", defaultSeeds);
    long firstSeed = Long.getLong("arca.sim.firstSeed", 1L);
    long started = System.nanoTime();
    long steps = 0;
    Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    Map<Violation.Kind, Integer> violations = new EnumMap<>(Violation.Kind.class);
    Map<Violation.Kind, Result> firstOfKind = new EnumMap<>(Violation.Kind.class);
    List<Long> failing = new ArrayList<>();
    for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
      Result r = run(scenario, seed, null);
      if (Boolean.getBoolean("arca.sim.verbose")) {
        System.out.println("  seed " + seed + ": " + r.steps() + " steps, faults " + r.faults() + ", "
            + (r.violations().isEmpty() ? "ok" : r.violations().get(0)));
        r.choices().forEach(c -> System.out.println("    " + c));
      }
      steps += r.steps();
      r.faults().forEach((k, n) -> faults.merge(k, n, Integer::sum));
      r.violations().stream().map(Violation::kind).distinct().forEach(k -> violations.merge(k, 1, Integer::sum));
      if (!r.violations().isEmpty()) {
        failing.add(seed);
        r.violations().forEach(v -> firstOfKind.putIfAbsent(v.kind(), r));
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    Map<Violation.Kind, Example> examples = new EnumMap<>(Violation.Kind.class);
    int budget = Integer.getInteger("arca.sim.shrinkRuns", 40);
    firstOfKind.forEach((kind, r) -> {
      int[] replays = {0};
      Result shrunk = shrink(scenario, r, kind, budget, replays);
      examples.put(kind, new Example(kind, r, shrunk, replays[0]));
    });
    Report report = new Report(scenario, seeds, steps, new TreeMap<>(faults), new TreeMap<>(violations), failing,
        millis, examples);
    System.out.println(report.summary());
    return report;
  }

  /**
   * Runs one seed.
   *
   * @param scenario the property
   * @param seed the seed
   * @param replay null to draw the schedule from the seed; else the choices to follow
   * @return what happened
   */
  public static Result run(Scenario scenario, long seed, @Nullable List<Choice> replay) {
    Random random = new Random(seed);
    VirtualTime time = new VirtualTime(scenario.processes().stream().mapToLong(Scenario.ProcessSpec::clockOffsetMillis)
        .toArray());
    InMemoryBlobStore.Builder storeBuilder = InMemoryBlobStore.builder().clock(time.store());
    if (scenario.remoteStore()) {
      storeBuilder.remote();
    }
    if (!scenario.conditionalDelete()) {
      storeBuilder.withoutConditionalDelete();
    }
    InMemoryBlobStore raw = storeBuilder.build();
    List<Violation> violations = Collections.synchronizedList(new ArrayList<>());
    SimStore.Ledger ledger = new SimStore.Ledger(violations::add);
    Scheduler scheduler = new Scheduler(time, scenario.faults(), new Random(random.nextLong()), replay,
        Long.getLong("arca.sim.stallMillis", 20_000L));
    History history = new History();
    List<Path> cacheDirs = new ArrayList<>();
    List<@Nullable Registry> registries = new ArrayList<>();
    Set<Integer> cached = new HashSet<>();
    try {
      Registry.builder().blobStore(raw).clock(time.store()).mutable(scenario.mutable()).noCache()
          .skipConditionalWriteProbe().build().close();
      for (int p = 0; p < scenario.processes().size(); p++) {
        registries.add(open(scenario, p, new SimStore(raw, scheduler, ledger, p), time, cacheDirs, cached));
      }
      Registry verifier = Registry.builder().blobStore(raw).clock(time.store()).noCache()
          .skipConditionalWriteProbe().build();
      registries.add(verifier);
      for (int i = 0; i < scenario.actors().size(); i++) {
        Scenario.ActorSpec spec = scenario.actors().get(i);
        Registry registry = registries.get(spec.process());
        if (registry != null) {
          Actor actor = new Actor(spec, registry, scenario, history, scheduler,
              new Random(seed * 1_000_003L + i), violations::add);
          scheduler.add(spec.role().name().toLowerCase(java.util.Locale.ROOT) + "-" + i + "@p" + spec.process(),
              spec.process(), actor);
        }
      }
      Invariants invariants = new Invariants(history, verifier, scenario.names(), cached);
      try {
        scheduler.start();
        boolean moved = true;
        while (violations.isEmpty() && moved && scheduler.steps() < scenario.maxSteps()) {
          moved = scheduler.step();
          if (scheduler.steps() % scenario.checkEvery() == 0 || !moved) {
            violations.addAll(invariants.check(scheduler.steps()));
          }
        }
        if (violations.isEmpty()) {
          violations.addAll(invariants.check(scheduler.steps()));
        }
      } catch (Scheduler.Stall stall) {
        violations.add(new Violation(Violation.Kind.STALL, scheduler.steps(), stall.getMessage()));
      }
    } finally {
      scheduler.kill();
      for (Registry r : registries) {
        closeQuietly(r);
      }
      cacheDirs.forEach(Simulation::deleteTree);
    }
    List<Violation> sorted = new ArrayList<>(violations);
    sorted.sort(Comparator.comparingLong(Violation::step));
    return new Result(seed, scheduler.steps(), scheduler.injected(), sorted, scheduler.taken());
  }

  private static @Nullable Registry open(Scenario scenario, int p, SimStore store, VirtualTime time,
      List<Path> cacheDirs, Set<Integer> cached) {
    Scenario.ProcessSpec spec = scenario.processes().get(p);
    Registry.Builder builder = Registry.builder().blobStore(store).clock(time.process(p)).ticker(time::nanos);
    if (spec.gracePeriod() != null) {
      builder.gracePeriod(spec.gracePeriod());
    }
    if (spec.cached() && scenario.remoteStore()) {
      try {
        Path dir = Files.createTempDirectory("arca-sim-cache-");
        cacheDirs.add(dir);
        builder.cache(dir, 64L << 20);
        cached.add(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      builder.noCache();
    }
    try {
      return builder.build();
    } catch (RuntimeException refused) {
      return null; // e.g. builder settings the stored ones refuse: a legitimate end for this process
    }
  }

  /** Replays shorter or fault-free variants of a failing run, keeping the shortest that breaks the same invariant. */
  private static Result shrink(Scenario scenario, Result failing, Violation.Kind kind, int budget,
      int[] replays) {
    Result best = truncated(failing, kind);
    int lo = 0;
    while (lo < best.choices().size() && replays[0] < budget) {
      int mid = (lo + best.choices().size()) / 2;
      Result r = replayOrNull(scenario, failing.seed(), best.choices().subList(0, mid), kind, replays);
      if (r != null && better(r, best)) {
        best = r;
      } else {
        lo = mid + 1;
      }
    }
    for (int i = best.choices().size() - 1; i >= 0 && replays[0] < budget; i--) {
      if (i >= best.choices().size() || best.choices().get(i).fault() == Fault.NONE) {
        continue;
      }
      List<Choice> fewer = new ArrayList<>(best.choices());
      fewer.set(i, fewer.get(i).withoutFault());
      Result r = replayOrNull(scenario, failing.seed(), fewer, kind, replays);
      if (r != null && better(r, best)) {
        best = r;
      }
    }
    return best;
  }

  private static @Nullable Result replayOrNull(Scenario scenario, long seed, List<Choice> choices,
      Violation.Kind kind, int[] replays) {
    replays[0]++;
    Result r = run(scenario, seed, choices);
    return r.violations().stream().anyMatch(v -> v.kind() == kind) ? truncated(r, kind) : null;
  }

  /** The run cut at the step where it first broke {@code kind}: later choices did not matter. */
  private static Result truncated(Result r, Violation.Kind kind) {
    long at = r.violations().stream().filter(v -> v.kind() == kind).mapToLong(Violation::step).min().orElseThrow();
    List<Choice> prefix = r.choices().subList(0, (int) Math.min(at, r.choices().size()));
    return new Result(r.seed(), prefix.size(), r.faults(), r.violations(), prefix);
  }

  private static boolean better(Result candidate, Result best) {
    return candidate.choices().size() <= best.choices().size() && candidate.faultCount() <= best.faultCount()
        && (candidate.choices().size() < best.choices().size() || candidate.faultCount() < best.faultCount());
  }

  private static void closeQuietly(@Nullable Registry registry) {
    if (registry != null) {
      try {
        registry.close();
      } catch (RuntimeException ignored) {
        // closing an in-memory store cannot lose anything
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
