package dev.arca.registry.testkit.sim;

import dev.arca.registry.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What every actor was told: each operation with its start and end on one logical clock (a counter bumped at
 * every start and end), so "A ended before B started" is exact. An operation still running, or whose actor
 * crashed, has {@code end == Long.MAX_VALUE}: it may still take effect as far as anyone knows.
 *
 * <p>Thread-safe (one lock); in practice one actor at a time touches it.
 */
final class History {

  static final long OPEN = Long.MAX_VALUE;

  enum Outcome { PENDING, ACKED, FAILED }

  /** A save. {@code value} is unique per save and starts with its id, so a loaded value names its save. */
  static final class Save {
    final int id;
    final int process;
    final String name;
    final @Nullable Version requested;
    final boolean overwrite;
    final String value;
    final long start;
    long end = OPEN;
    Outcome outcome = Outcome.PENDING;
    @Nullable Version acked;
    @Nullable String error;

    Save(int id, int process, String name, @Nullable Version requested, boolean overwrite, String value,
        long start) {
      this.id = id;
      this.process = process;
      this.name = name;
      this.requested = requested;
      this.overwrite = overwrite;
      this.value = value;
      this.start = start;
    }

    /** The version this save wrote or may have written, when known. */
    @Nullable Version version() {
      return acked != null ? acked : requested;
    }

    boolean couldBeAt(Version v) {
      return acked != null ? acked.equals(v) : requested == null || requested.equals(v);
    }

    @Override
    public String toString() {
      return "save s" + id + " of " + name + "@" + (version() == null ? "next" : version())
          + (overwrite ? " (overwrite)" : "") + " by p" + process + " [" + start + ".." + (end == OPEN ? "" : end)
          + "] " + outcome + (error != null ? " " + error : "");
    }
  }

  /** A delete of one explicit version. */
  static final class Delete {
    final String name;
    final Version version;
    final long start;
    long end = OPEN;
    Outcome outcome = Outcome.PENDING;

    Delete(String name, Version version, long start) {
      this.name = name;
      this.version = version;
      this.start = start;
    }
  }

  /** A tag move or removal: until it ends acknowledged, the tag may name a version deleted meanwhile. */
  static final class TagOp {
    final String name;
    final String tag;
    Outcome outcome = Outcome.PENDING;

    TagOp(String name, String tag) {
      this.name = name;
      this.tag = tag;
    }
  }

  enum ReadKind { EXPLICIT, LATEST, TAG }

  /** A load. */
  static final class Read {
    final int process;
    final String key;
    final ReadKind kind;
    final @Nullable Version version;
    final long start;
    long end = OPEN;
    @Nullable String value;
    @Nullable RuntimeException error;
    int faults;
    boolean checked;

    Read(int process, String key, ReadKind kind, @Nullable Version version, long start) {
      this.process = process;
      this.key = key;
      this.kind = kind;
      this.version = version;
      this.start = start;
    }
  }

  private long clock;
  private final List<Save> saves = new ArrayList<>();
  private final List<Delete> deletes = new ArrayList<>();
  private final List<Read> reads = new ArrayList<>();
  private final List<TagOp> tagOps = new ArrayList<>();

  synchronized Save beginSave(int process, String name, @Nullable Version requested, boolean overwrite,
      String payload) {
    int id = saves.size();
    Save s = new Save(id, process, name, requested, overwrite, "s" + id + ":" + payload, ++clock);
    saves.add(s);
    return s;
  }

  synchronized void acked(Save s, Version version) {
    s.end = ++clock;
    s.outcome = Outcome.ACKED;
    s.acked = version;
  }

  synchronized void failed(Save s, RuntimeException e) {
    s.end = ++clock;
    s.outcome = Outcome.FAILED;
    s.error = e.getClass().getSimpleName();
  }

  synchronized Delete beginDelete(String name, Version version) {
    Delete d = new Delete(name, version, ++clock);
    deletes.add(d);
    return d;
  }

  synchronized void ended(Delete d, Outcome outcome) {
    d.end = ++clock;
    d.outcome = outcome;
  }

  synchronized Read beginRead(int process, String key, ReadKind kind, @Nullable Version version) {
    Read r = new Read(process, key, kind, version, ++clock);
    reads.add(r);
    return r;
  }

  synchronized void ended(Read r, @Nullable String value, @Nullable RuntimeException error, int faults) {
    r.end = ++clock;
    r.value = value;
    r.error = error;
    r.faults = faults;
  }

  synchronized TagOp beginTagOp(String name, String tag) {
    TagOp op = new TagOp(name, tag);
    tagOps.add(op);
    return op;
  }

  synchronized void ended(TagOp op, Outcome outcome) {
    op.outcome = outcome;
  }

  synchronized long now() {
    return ++clock;
  }

  synchronized List<Save> saves() {
    return List.copyOf(saves);
  }

  synchronized List<Delete> deletes() {
    return List.copyOf(deletes);
  }

  synchronized List<Read> reads() {
    return List.copyOf(reads);
  }

  synchronized List<TagOp> tagOps() {
    return List.copyOf(tagOps);
  }

  /** Acknowledged saves of a name, for actors that pick a version to read, tag or overwrite. */
  synchronized List<Save> acked(String name) {
    return saves.stream().filter(s -> s.outcome == Outcome.ACKED && s.name.equals(name)).toList();
  }

  /** The save a loaded value came from. */
  synchronized Optional<Save> saveOf(String value) {
    int colon = value.indexOf(':');
    if (!value.startsWith("s") || colon < 0) {
      return Optional.empty();
    }
    try {
      int id = Integer.parseInt(value.substring(1, colon));
      return id < saves.size() && saves.get(id).value.equals(value) ? Optional.of(saves.get(id)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
