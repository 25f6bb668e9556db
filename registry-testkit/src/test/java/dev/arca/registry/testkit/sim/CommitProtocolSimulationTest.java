package dev.arca.registry.testkit.sim;

import static dev.arca.registry.testkit.sim.Scenario.Role.DELETER;
import static dev.arca.registry.testkit.sim.Scenario.Role.EXPLICIT_WRITER;
import static dev.arca.registry.testkit.sim.Scenario.Role.JANITOR;
import static dev.arca.registry.testkit.sim.Scenario.Role.OVERWRITER;
import static dev.arca.registry.testkit.sim.Scenario.Role.READER;
import static dev.arca.registry.testkit.sim.Scenario.Role.TAGGER;
import static dev.arca.registry.testkit.sim.Scenario.Role.WRITER;

import dev.arca.registry.testkit.sim.Scenario.ProcessSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The commit protocol under the deterministic simulation: one property per defect of issue 13 (1 to 5), each a
 * scenario built to give that defect its chance, and one with every actor and every fault mixed. Each runs the
 * real {@code Registry} code; a failure prints its seed and the shortest schedule found that reproduces it.
 * {@code -Darca.sim.seeds=N} runs N seeds per property.
 */
class CommitProtocolSimulationTest {

  private static final ProcessSpec PROCESS = ProcessSpec.standard();

  /** Defect 1: a manifest create that lands and then throws must not be followed by deleting its files. */
  @Test
  void commitThatLandsThenFails_neverLeavesAListedVersionWithoutItsFiles() {
    Scenario scenario = Scenario.builder("commit lands then fails (defect 1)")
        .process(PROCESS).process(PROCESS).process(PROCESS)
        .actors(WRITER, 0, 1, 4)
        .actors(WRITER, 1, 1, 4)
        .actors(EXPLICIT_WRITER, 2, 1, 3)
        .actors(READER, 2, 1, 4)
        .faults(FaultMix.none().with(Fault.ERROR_AFTER, 0.06).with(Fault.LOST_RESPONSE, 0.04)
            .with(Fault.ERROR_BEFORE, 0.04).with(Fault.SLOW_RESPONSE, 0.02))
        .build();
    Simulation.check(scenario, 60).assertNoViolations();
  }

  /** Defect 2: on a store without delete-if-match, a delete must not remove an overwrite it never saw. */
  @Test
  void deleteRacingOverwrite_onAStoreWithoutConditionalDelete_neverRemovesAWriteItDidNotSee() {
    Scenario scenario = Scenario.builder("delete races overwrite, no conditional delete (defect 2)")
        .withoutConditionalDelete().mutable().explicitVersions(2)
        .process(PROCESS).process(PROCESS).process(PROCESS).process(PROCESS)
        .actors(OVERWRITER, 0, 1, 5)
        .actors(OVERWRITER, 1, 1, 5)
        .actors(DELETER, 2, 1, 4)
        .actors(TAGGER, 3, 1, 5)
        .actors(READER, 3, 1, 4)
        .faults(FaultMix.none().with(Fault.SLOW_REQUEST, 0.05).with(Fault.SLOW_RESPONSE, 0.05))
        .build();
    Simulation.check(scenario, 60).assertNoViolations();
  }

  /** Defect 3: a janitor with a shorter grace period, or a clock an hour ahead, must not remove a live write. */
  @Test
  void janitorWithShortGraceOrFastClock_neverRemovesTheFilesOfAWriteInFlight() {
    Scenario scenario = Scenario.builder("janitor vs slow writers (defect 3)")
        .process(PROCESS).process(PROCESS)
        .process(PROCESS.withGracePeriod(Duration.ofMinutes(1)))
        .process(PROCESS.withClockOffset(Duration.ofHours(1)))
        .actors(WRITER, 0, 1, 4)
        .actors(EXPLICIT_WRITER, 1, 1, 4)
        .actors(JANITOR, 2, 1, 4)
        .actors(JANITOR, 3, 1, 4)
        .actors(READER, 1, 1, 3)
        .faults(FaultMix.none().with(Fault.SLOW_REQUEST, 0.08).with(Fault.SLOW_RESPONSE, 0.08)
            .with(Fault.CLOCK_JUMP, 0.01))
        .build();
    Simulation.check(scenario, 60).assertNoViolations();
  }

  /** Defect 4: deleting tagged versions and saving again must neither leave a tag dangling nor reuse a number. */
  @Test
  void deletingTaggedVersions_thenSaving_neverLeavesADanglingTagNorReusesANumber() {
    Scenario scenario = Scenario.builder("delete tagged versions, save again (defect 4)")
        .process(PROCESS).process(PROCESS).process(PROCESS).process(PROCESS)
        .actors(WRITER, 0, 2, 4)
        .actors(TAGGER, 1, 1, 4)
        .actors(DELETER, 2, 1, 3)
        .actors(READER, 3, 1, 4)
        .faults(FaultMix.none().with(Fault.SLOW_REQUEST, 0.03).with(Fault.SLOW_RESPONSE, 0.03))
        .build();
    Simulation.check(scenario, 60).assertNoViolations();
  }

  /** Defect 5: a reader sharing a cached registry with an overwriter never sees the value it replaced. */
  @Test
  void readersSharingACachedRegistryWithAnOverwriter_neverReadAReplacedValue() {
    Scenario scenario = Scenario.builder("cached readers vs overwriter (defect 5)")
        .remoteStore().mutable().explicitVersions(1)
        .process(PROCESS.withCache())
        .actors(OVERWRITER, 0, 1, 6)
        .actors(READER, 0, 3, 6)
        .faults(FaultMix.none().with(Fault.SLOW_RESPONSE, 0.25))
        .build();
    Simulation.check(scenario, 60).assertNoViolations();
  }

  /** Everything at once: every role, every fault, cached and uncached processes, clocks off, S3-like deletes. */
  @Test
  void everyActorAndEveryFault_mixed_breakNoInvariant() {
    Scenario scenario = Scenario.builder("everything mixed")
        .remoteStore().withoutConditionalDelete().mutable().names("a", "b")
        .process(PROCESS.withCache())
        .process(PROCESS)
        .process(PROCESS.withClockOffset(Duration.ofMinutes(-20)).withCache())
        .process(PROCESS.withGracePeriod(Duration.ofMinutes(5)))
        .actors(WRITER, 0, 1, 4)
        .actors(OVERWRITER, 0, 1, 4)
        .actors(READER, 0, 1, 4)
        .actors(EXPLICIT_WRITER, 1, 1, 3)
        .actors(DELETER, 1, 1, 3)
        .actors(TAGGER, 2, 1, 4)
        .actors(READER, 2, 1, 4)
        .actors(JANITOR, 3, 1, 3)
        .faults(FaultMix.none().with(Fault.ERROR_BEFORE, 0.02).with(Fault.ERROR_AFTER, 0.02)
            .with(Fault.LOST_RESPONSE, 0.02).with(Fault.CRASH, 0.005).with(Fault.CRASH_AFTER, 0.005)
            .with(Fault.SLOW_REQUEST, 0.03).with(Fault.SLOW_RESPONSE, 0.04).with(Fault.CLOCK_JUMP, 0.01))
        .build();
    Simulation.check(scenario, 100).assertNoViolations();
  }
}
