package dev.arca.registry.testkit.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one simulated property runs: the store, the registry settings, the processes (each one {@code Registry}
 * instance with its own clock and builder settings), the actors in them, and the faults. Immutable; build with
 * {@link #builder(String)}.
 *
 * @param name the property's name, printed with its figures
 * @param remoteStore whether the store declares itself remote (processes then probe it, and cached ones read
 *     through the {@code CachingBackend})
 * @param conditionalDelete whether the store offers delete-if-match (false: like S3, it ignores the condition)
 * @param mutable the registry setting, stored once before the actors start
 * @param names the object names actors use
 * @param explicitVersions how many versions ({@code 1.0.0} up) explicit writers, overwriters and readers pick from
 * @param processes the processes
 * @param actors the actors
 * @param faults the fault odds per store call
 * @param maxSteps the scheduler steps after which a run stops (remaining actors are killed)
 * @param checkEvery steps between invariant checks (and one at the end)
 */
public record Scenario(String name, boolean remoteStore, boolean conditionalDelete, boolean mutable,
    List<String> names, int explicitVersions, List<ProcessSpec> processes, List<ActorSpec> actors, FaultMix faults,
    int maxSteps, int checkEvery) {

  /**
   * Copies the lists and checks that every actor names a process.
   *
   * @param name see the class description
   * @param remoteStore see the class description
   * @param conditionalDelete see the class description
   * @param mutable see the class description
   * @param names see the class description
   * @param explicitVersions see the class description
   * @param processes see the class description
   * @param actors see the class description
   * @param faults see the class description
   * @param maxSteps see the class description
   * @param checkEvery see the class description
   */
  public Scenario {
    names = List.copyOf(names);
    processes = List.copyOf(processes);
    actors = List.copyOf(actors);
    for (ActorSpec a : actors) {
      if (a.process() < 0 || a.process() >= processes.size()) {
        throw new IllegalArgumentException("actor " + a + " names process " + a.process() + ", but the scenario"
            + " has " + processes.size() + ": add it with Scenario.Builder.process(...) first");
      }
    }
  }

  /** What an actor does, once per operation. */
  public enum Role {
    /** Saves {@code name}: the next version (auto-increment). */
    WRITER,
    /** Saves {@code name@version}, failing if it exists. */
    EXPLICIT_WRITER,
    /** Saves {@code name@version} with {@code OnConflict.OVERWRITE} (mutable registries). */
    OVERWRITER,
    /** Loads {@code name@version} (an acknowledged one, or a guess), {@code name} (the latest) or {@code name#tag}. */
    READER,
    /** Deletes {@code name@version}: a tagged version, the latest, or any listed one. */
    DELETER,
    /** Tags an acknowledged version or the latest as {@code prod} or {@code stage}, or removes such a tag. */
    TAGGER,
    /** Runs {@code registry.janitor(true)}. */
    JANITOR
  }

  /**
   * One simulated process: one {@code Registry} instance, shared by the actors placed in it.
   *
   * @param gracePeriod the builder's {@code gracePeriod}, or null for the default
   * @param clockOffsetMillis how far this host's clock is ahead (negative: behind) of the store's
   * @param cached whether it reads through the local cache (only on a remote store), in its own temp directory
   */
  public record ProcessSpec(@Nullable Duration gracePeriod, long clockOffsetMillis, boolean cached) {

    /**
     * Default grace period, a correct clock, no cache.
     *
     * @return the process
     */
    public static ProcessSpec standard() {
      return new ProcessSpec(null, 0, false);
    }

    /**
     * This process with another grace period.
     *
     * @param value the builder setting
     * @return a new spec
     */
    public ProcessSpec withGracePeriod(Duration value) {
      return new ProcessSpec(value, clockOffsetMillis, cached);
    }

    /**
     * This process with its clock off.
     *
     * @param offset ahead (positive) or behind the store clock
     * @return a new spec
     */
    public ProcessSpec withClockOffset(Duration offset) {
      return new ProcessSpec(gracePeriod, offset.toMillis(), cached);
    }

    /**
     * This process reading through a local cache (needs a remote store).
     *
     * @return a new spec
     */
    public ProcessSpec withCache() {
      return new ProcessSpec(gracePeriod, clockOffsetMillis, true);
    }
  }

  /**
   * One actor.
   *
   * @param role what it does
   * @param process the index of its process
   * @param ops how many operations it performs before it ends
   */
  public record ActorSpec(Role role, int process, int ops) {}

  /**
   * Starts a scenario.
   *
   * @param name the property's name
   * @return a builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a {@link Scenario}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private boolean remoteStore;
    private boolean conditionalDelete = true;
    private boolean mutable;
    private List<String> names = List.of("m");
    private int explicitVersions = 3;
    private final List<ProcessSpec> processes = new ArrayList<>();
    private final List<ActorSpec> actors = new ArrayList<>();
    private FaultMix faults = FaultMix.none();
    private int maxSteps = 300;
    private int checkEvery = 8;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name);
    }

    /**
     * Declares the store remote.
     *
     * @return this builder
     */
    public Builder remoteStore() {
      this.remoteStore = true;
      return this;
    }

    /**
     * Makes the store lack delete-if-match, like S3.
     *
     * @return this builder
     */
    public Builder withoutConditionalDelete() {
      this.conditionalDelete = false;
      return this;
    }

    /**
     * Creates the registry mutable.
     *
     * @return this builder
     */
    public Builder mutable() {
      this.mutable = true;
      return this;
    }

    /**
     * The names actors use (default one, {@code m}).
     *
     * @param values object names
     * @return this builder
     */
    public Builder names(String... values) {
      this.names = List.of(values);
      return this;
    }

    /**
     * How many explicit versions actors pick from (default 3).
     *
     * @param value at least 1
     * @return this builder
     */
    public Builder explicitVersions(int value) {
      this.explicitVersions = value;
      return this;
    }

    /**
     * Adds a process; actors name it by its index (0 for the first added).
     *
     * @param spec the process
     * @return this builder
     */
    public Builder process(ProcessSpec spec) {
      processes.add(spec);
      return this;
    }

    /**
     * Adds actors.
     *
     * @param role what they do
     * @param process the index of their process
     * @param count how many such actors
     * @param ops operations each
     * @return this builder
     */
    public Builder actors(Role role, int process, int count, int ops) {
      for (int i = 0; i < count; i++) {
        actors.add(new ActorSpec(role, process, ops));
      }
      return this;
    }

    /**
     * The fault odds.
     *
     * @param value the mix
     * @return this builder
     */
    public Builder faults(FaultMix value) {
      this.faults = value;
      return this;
    }

    /**
     * The step bound per run (default 300).
     *
     * @param value positive
     * @return this builder
     */
    public Builder maxSteps(int value) {
      this.maxSteps = value;
      return this;
    }

    /**
     * Steps between invariant checks (default 8).
     *
     * @param value positive
     * @return this builder
     */
    public Builder checkEvery(int value) {
      this.checkEvery = value;
      return this;
    }

    /**
     * Builds the scenario.
     *
     * @return the scenario
     */
    public Scenario build() {
      return new Scenario(name, remoteStore, conditionalDelete, mutable, names, explicitVersions, processes, actors,
          faults, maxSteps, checkEvery);
    }
  }
}
