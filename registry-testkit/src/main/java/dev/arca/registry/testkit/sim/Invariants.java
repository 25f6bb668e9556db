package dev.arca.registry.testkit.sim;

import dev.arca.registry.IntegrityException;
import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.Registry;
import dev.arca.registry.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The invariants, checked when every actor is parked: the store is then still, and the history holds exactly
 * what actors have been told. The store is read by a verifier {@link Registry} over the raw store (no faults,
 * no scheduling, no cache), so the checks bind to the public API only, never to the layout.
 *
 * <ul>
 *   <li>every listed version loads whole, with a value some save may have written at that version and no older
 *       than an acknowledged overwrite of it ({@link Violation.Kind#BROKEN_VERSION},
 *       {@link Violation.Kind#WRONG_VALUE});
 *   <li>every acknowledged version is listed unless a delete of it may have run after the save started
 *       ({@link Violation.Kind#LOST_VERSION});
 *   <li>no version is acknowledged to two creating saves, nor to a save started after an acknowledged delete
 *       of it ({@link Violation.Kind#REUSED_VERSION});
 *   <li>every tag names a listed version, except while a delete of that version or a move of that tag is
 *       unacknowledged (a move that lands after the delete removed the version's tags undoes itself, a step
 *       later) ({@link Violation.Kind#DANGLING_TAG});
 *   <li>readers fail only with not-found, and then only for a version that may have been deleted or that was
 *       not acknowledged before the read began; other exceptions only when a fault hit one of the read's calls,
 *       and never an integrity error ({@link Violation.Kind#READER_FAILED}); a reader whose process shares the
 *       overwriter's registry instance, or reads without a cache, never gets a value older than an overwrite
 *       acknowledged before its read began ({@link Violation.Kind#STALE_READ}).
 * </ul>
 *
 * <p>Not thread-safe: the driver calls it.
 */
final class Invariants {

  private final History history;
  private final Registry verifier;
  private final List<String> names;
  private final Set<Integer> cachedProcesses;

  Invariants(History history, Registry verifier, List<String> names, Set<Integer> cachedProcesses) {
    this.history = history;
    this.verifier = verifier;
    this.names = names;
    this.cachedProcesses = cachedProcesses;
  }

  List<Violation> check(long step) {
    List<Violation> found = new ArrayList<>();
    long now = history.now();
    List<History.Save> saves = history.saves();
    List<History.Delete> deletes = history.deletes();
    for (String name : names) {
      checkStore(name, step, now, saves, deletes, found);
    }
    checkReuse(step, saves, deletes, found);
    for (History.Read read : history.reads()) {
      if (read.end != History.OPEN && !read.checked) {
        read.checked = true;
        checkRead(read, step, saves, deletes, found);
      }
    }
    return found;
  }

  private void checkStore(String name, long step, long now, List<History.Save> saves,
      List<History.Delete> deletes, List<Violation> found) {
    List<Version> listed;
    try {
      listed = verifier.versions(name);
    } catch (RuntimeException e) {
      found.add(new Violation(Violation.Kind.BROKEN_VERSION, step, "listing the versions of " + name + " fails: "
          + e));
      return;
    }
    for (Version v : listed) {
      try {
        String value = verifier.load(name + "@" + v, String.class);
        judgeValue(name, v, value, now, null, saves).ifPresent(p -> found.add(new Violation(
            p.kind == Violation.Kind.STALE_READ ? Violation.Kind.WRONG_VALUE : p.kind, step, "the store's "
            + name + "@" + v + ": " + p.message)));
      } catch (dev.arca.registry.ObjectNotFoundException e) {
        if (!deleteUnfinished(name, v, deletes)) {
          found.add(new Violation(Violation.Kind.BROKEN_VERSION, step, name + "@" + v + " is listed but does not"
              + " load: " + e + explainVersion(name, v, saves)));
        }
      } catch (RuntimeException e) {
        found.add(new Violation(Violation.Kind.BROKEN_VERSION, step, name + "@" + v + " is listed but does not"
            + " load: " + e + explainVersion(name, v, saves)));
      }
    }
    for (History.Save s : saves) {
      if (s.name.equals(name) && s.outcome == History.Outcome.ACKED && !listed.contains(s.acked)
          && !mayBeDeleted(s, deletes, History.OPEN)) {
        found.add(new Violation(Violation.Kind.LOST_VERSION, step, "acknowledged " + s + " is not listed, and no"
            + " delete of it ran after the save began"));
      }
    }
    try {
      verifier.tags(name).forEach((tag, v) -> {
        if (!listed.contains(v) && !deleteUnfinished(name, v, deletes) && !tagOpUnfinished(name, tag)) {
          found.add(new Violation(Violation.Kind.DANGLING_TAG, step, name + "#" + tag + " names " + name + "@" + v
              + ", which is not listed (deleted, or never committed)" + explainVersion(name, v, saves)));
        }
      });
    } catch (RuntimeException e) {
      found.add(new Violation(Violation.Kind.DANGLING_TAG, step, "reading the tags of " + name + " fails: " + e));
    }
  }

  private static void checkReuse(long step, List<History.Save> saves, List<History.Delete> deletes,
      List<Violation> found) {
    Map<String, History.Save> creators = new HashMap<>();
    for (History.Save s : saves) {
      if (s.outcome != History.Outcome.ACKED) {
        continue;
      }
      String key = s.name + "@" + s.acked;
      if (!s.overwrite) {
        History.Save first = creators.putIfAbsent(key, s);
        if (first != null) {
          found.add(new Violation(Violation.Kind.REUSED_VERSION, step, key + " was acknowledged as created to two"
              + " saves: " + first + ", and " + s));
        }
      }
      for (History.Delete d : deletes) {
        if (d.outcome == History.Outcome.ACKED && d.name.equals(s.name) && d.version.equals(s.acked)
            && d.end < s.start) {
          found.add(new Violation(Violation.Kind.REUSED_VERSION, step, key + " was acknowledged to " + s
              + ", which began after an acknowledged delete of that version"));
        }
      }
    }
  }

  private void checkRead(History.Read read, long step, List<History.Save> saves, List<History.Delete> deletes,
      List<Violation> found) {
    String name = read.key.split("[@#]", 2)[0];
    RuntimeException error = read.error;
    if (error instanceof IntegrityException) {
      found.add(new Violation(Violation.Kind.READER_FAILED, step, "reading " + read.key + " (p" + read.process
          + ") failed verification: " + error));
    } else if (error instanceof ObjectNotFoundException) {
      if (read.kind == History.ReadKind.EXPLICIT) {
        for (History.Save s : saves) {
          if (s.name.equals(name) && s.outcome == History.Outcome.ACKED && s.acked.equals(read.version)
              && s.end < read.start && !mayBeDeleted(s, deletes, read.end)) {
            found.add(new Violation(Violation.Kind.READER_FAILED, step, "reading " + read.key + " (p" + read.process
                + ") found nothing, though " + s + " was acknowledged before the read and never deleted: "
                + error));
            break;
          }
        }
      }
    } else if (error != null) {
      if (read.faults == 0) {
        found.add(new Violation(Violation.Kind.READER_FAILED, step, "reading " + read.key + " (p" + read.process
            + ") failed though no fault hit any of its calls: " + error));
      }
    } else {
      String value = java.util.Objects.requireNonNull(read.value);
      Optional<History.Save> origin = history.saveOf(value);
      Version v = read.version != null ? read.version : origin.map(History.Save::version).orElse(null);
      if (v == null) {
        if (origin.isEmpty() || !origin.get().name.equals(name)) {
          found.add(new Violation(Violation.Kind.WRONG_VALUE, step, "reading " + read.key + " returned a value no"
              + " save of " + name + " wrote: " + abbreviate(value)));
        }
        return;
      }
      judgeValue(name, v, value, read.start, read.process, saves).ifPresent(p -> found.add(new Violation(p.kind,
          step, "reading " + read.key + " (p" + read.process + "): " + p.message)));
    }
  }

  private record Problem(Violation.Kind kind, String message) {}

  /**
   * Whether a value may be what {@code name@v} holds for a read that began at {@code readStart}: written by a
   * save that may have targeted {@code v}, and not definitely replaced by an overwrite acknowledged before the
   * read began (checked for every overwrite when {@code readerProcess} is null or uncached, else only for
   * overwrites acknowledged in the reader's own process, whose registry instance was told of them).
   */
  private Optional<Problem> judgeValue(String name, Version v, String value, long readStart,
      @Nullable Integer readerProcess, List<History.Save> saves) {
    Optional<History.Save> origin = history.saveOf(value);
    if (origin.isEmpty() || !origin.get().name.equals(name) || !origin.get().couldBeAt(v)) {
      return Optional.of(new Problem(Violation.Kind.WRONG_VALUE, "value " + abbreviate(value) + " is not one any"
          + " save of " + name + "@" + v + " wrote" + origin.map(s -> " (it is from " + s + ")").orElse("")));
    }
    History.Save y = origin.get();
    boolean strict = readerProcess == null || !cachedProcesses.contains(readerProcess);
    for (History.Save z : saves) {
      if (z != y && z.outcome == History.Outcome.ACKED && z.name.equals(name) && v.equals(z.acked)
          && z.end < readStart && y.end < z.start && (strict || z.process == readerProcess)) {
        return Optional.of(new Problem(Violation.Kind.STALE_READ, "got the value of " + y + ", older than "
            + z + ", acknowledged before the read began"));
      }
    }
    return Optional.empty();
  }

  /** Whether a delete of the save's version may have run after the save began and before {@code until}. */
  private static boolean mayBeDeleted(History.Save s, List<History.Delete> deletes, long until) {
    return deletes.stream().anyMatch(d -> d.name.equals(s.name) && d.version.equals(s.acked) && d.end > s.start
        && d.start < until);
  }

  /**
   * Whether a delete of {@code name@v} is in flight, crashed or failed (unknown): protocol v2 tombstones the
   * manifest first, then writes the listing hint and removes the tags, so until such a delete finishes the version
   * may be listed yet read as absent, and a tag may still name it (reads through it find nothing).
   */
  private boolean tagOpUnfinished(String name, String tag) {
    return history.tagOps().stream().anyMatch(op -> op.name.equals(name) && op.tag.equals(tag)
        && op.outcome != History.Outcome.ACKED);
  }

  private static boolean deleteUnfinished(String name, Version v, List<History.Delete> deletes) {
    return deletes.stream().anyMatch(d -> d.name.equals(name) && d.version.equals(v)
        && d.outcome != History.Outcome.ACKED);
  }

  private static String explainVersion(String name, Version v, List<History.Save> saves) {
    StringBuilder sb = new StringBuilder();
    for (History.Save s : saves) {
      if (s.name.equals(name) && s.couldBeAt(v)) {
        sb.append("\n      ").append(s);
      }
    }
    return sb.length() == 0 ? "" : "; saves that may have written it:" + sb;
  }

  private static String abbreviate(String value) {
    return value.length() <= 24 ? value : value.substring(0, 24) + "...";
  }
}
