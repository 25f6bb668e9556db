package dev.arca.registry.testkit.sim;

import dev.arca.registry.Manifest;
import dev.arca.registry.OnConflict;
import dev.arca.registry.Registry;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One actor's body: its operations on its process's {@link Registry}, each recorded in the {@link History}.
 * Its choices (which name, which version, which read) come from its own seeded {@link Random} and from the
 * history, so given the schedule they are the same in every run. It catches what the registry throws (an
 * exception is an outcome to record, not a failure of the actor) but never {@link Scheduler.Killed}.
 */
final class Actor implements Runnable {

  static final List<String> TAGS = List.of("prod", "stage");
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final Scenario.ActorSpec spec;
  private final int process;
  private final Registry registry;
  private final Scenario scenario;
  private final History history;
  private final Scheduler scheduler;
  private final Random random;
  private final Consumer<Violation> harnessFailure;

  Actor(Scenario.ActorSpec spec, Registry registry, Scenario scenario, History history, Scheduler scheduler,
      Random random, Consumer<Violation> harnessFailure) {
    this.spec = spec;
    this.process = spec.process();
    this.registry = registry;
    this.scenario = scenario;
    this.history = history;
    this.scheduler = scheduler;
    this.random = random;
    this.harnessFailure = harnessFailure;
  }

  @Override
  public void run() {
    try {
      for (int op = 0; op < spec.ops(); op++) {
        scheduler.beginOp();
        operate();
      }
    } catch (Scheduler.Killed killed) {
      throw killed;
    } catch (RuntimeException | Error e) { // a failure of the harness, never an outcome of the registry
      harnessFailure.accept(new Violation(Violation.Kind.STALL, scheduler.steps(), "actor " + spec + " failed in"
          + " the harness: " + e));
    }
  }

  private void operate() {
    String name = scenario.names().get(random.nextInt(scenario.names().size()));
    switch (spec.role()) {
      case WRITER -> save(name, null, false);
      case EXPLICIT_WRITER -> save(name, guessVersion(), false);
      case OVERWRITER -> save(name, guessVersion(), true);
      case READER -> read(name);
      case DELETER -> delete(name);
      case TAGGER -> tag(name);
      case JANITOR -> {
        try {
          registry.janitor(true);
        } catch (RuntimeException outcome) {
          // a janitor that fails removes less; the invariants judge what it did remove
        }
      }
    }
  }

  private void save(String name, @Nullable Version version, boolean overwrite) {
    History.Save save = history.beginSave(process, name, version, overwrite, payload());
    try {
      Manifest m = version == null ? registry.save(name, save.value) : registry.save(name + "@" + version,
          save.value, overwrite ? SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE) : SaveOptions.defaults());
      history.acked(save, m.version());
    } catch (RuntimeException e) {
      history.failed(save, e);
    }
  }

  private void read(String name) {
    int kind = random.nextInt(4);
    History.Read read;
    if (kind <= 1) {
      List<History.Save> acked = history.acked(name);
      Version v = acked.isEmpty() || random.nextInt(5) == 0 ? guessVersion()
          : acked.get(random.nextInt(acked.size())).acked;
      read = history.beginRead(process, name + "@" + v, History.ReadKind.EXPLICIT, v);
    } else if (kind == 2) {
      read = history.beginRead(process, name, History.ReadKind.LATEST, null);
    } else {
      read = history.beginRead(process, name + "#" + TAGS.get(random.nextInt(TAGS.size())), History.ReadKind.TAG,
          null);
    }
    try {
      String value = registry.load(read.key, String.class);
      history.ended(read, value, null, scheduler.opFaults());
    } catch (RuntimeException e) {
      history.ended(read, null, e, scheduler.opFaults());
    }
  }

  private void delete(String name) {
    Version target;
    try {
      List<Version> candidates = new ArrayList<>();
      int how = random.nextInt(3);
      if (how == 0) {
        candidates.addAll(registry.tags(name).values());
      }
      List<Version> listed = registry.versions(name);
      if (candidates.isEmpty() && !listed.isEmpty()) {
        candidates.add(how == 1 ? listed.get(listed.size() - 1) : listed.get(random.nextInt(listed.size())));
      }
      if (candidates.isEmpty()) {
        return;
      }
      target = candidates.get(random.nextInt(candidates.size()));
    } catch (RuntimeException e) {
      return; // could not choose: nothing was deleted
    }
    History.Delete delete = history.beginDelete(name, target);
    try {
      registry.delete(name + "@" + target);
      history.ended(delete, History.Outcome.ACKED);
    } catch (RuntimeException e) {
      history.ended(delete, History.Outcome.FAILED); // may still have deleted: the checks assume it did
    }
  }

  private void tag(String name) {
    String tag = TAGS.get(random.nextInt(TAGS.size()));
    History.TagOp op = history.beginTagOp(name, tag);
    try {
      if (random.nextInt(4) == 0) {
        registry.untag(name, tag);
      } else {
        List<History.Save> acked = history.acked(name);
        String key = acked.isEmpty() || random.nextBoolean() ? name
            : name + "@" + acked.get(random.nextInt(acked.size())).acked;
        registry.tag(key, tag);
      }
      history.ended(op, History.Outcome.ACKED);
    } catch (RuntimeException outcome) {
      history.ended(op, History.Outcome.FAILED); // the store's tags are checked as they are
    }
  }

  private Version guessVersion() {
    return Version.parse("1.0." + random.nextInt(scenario.explicitVersions()), 3);
  }

  private String payload() {
    StringBuilder sb = new StringBuilder();
    int length = 16 + random.nextInt(200);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
