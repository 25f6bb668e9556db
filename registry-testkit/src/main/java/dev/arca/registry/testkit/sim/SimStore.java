package dev.arca.registry.testkit.sim;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import dev.arca.registry.testkit.BufferedBlobOutput;
import dev.arca.registry.testkit.InMemoryBlobStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One simulated process's view of the shared {@link InMemoryBlobStore}: every call parks at the
 * {@link Scheduler} and gets the fault it chooses. A write's bytes are buffered locally; its commit is the call.
 *
 * <p>It also keeps a {@link Ledger} of who wrote each object version and which versions each process has seen,
 * which finds lost updates without knowing the layout: an unconditional delete that removes a version of an
 * object maintained by compare-and-swap (ever written with a condition), written by another process, that the
 * deleting process never saw, has removed a concurrent acknowledged write it knew nothing of.
 *
 * <p>Thread-safe. {@link #close()} keeps the data.
 */
final class SimStore implements BlobStore {

  /** Object versions by writer, and the versions each process has seen. Shared by all processes' stores. */
  static final class Ledger {
    private record Written(int process, boolean conditional) {}

    private final Map<String, Written> writers = new HashMap<>();
    private final Set<String> conditionalKeys = new HashSet<>();
    private final Map<Integer, Set<String>> seen = new HashMap<>();
    private final Consumer<Violation> violations;

    Ledger(Consumer<Violation> violations) {
      this.violations = violations;
    }

    synchronized void wrote(int process, String key, String etag, Condition condition) {
      boolean conditional = !(condition instanceof Condition.None);
      writers.put(key + " " + etag, new Written(process, conditional));
      if (conditional) {
        conditionalKeys.add(key);
      }
      saw(process, key, etag);
    }

    synchronized void saw(int process, String key, String etag) {
      seen.computeIfAbsent(process, p -> new HashSet<>()).add(key + " " + etag);
    }

    synchronized void deleting(int process, String key, String etag, long step) {
      Written w = writers.get(key + " " + etag);
      if (w != null && w.process() != process && conditionalKeys.contains(key)
          && !seen.getOrDefault(process, Set.of()).contains(key + " " + etag)) {
        violations.accept(new Violation(Violation.Kind.BLIND_DELETE, step, "process p" + process
            + " unconditionally deleted '" + key + "' (version " + etag + ", written by process p" + w.process()
            + ") without ever having read that version: an object maintained by compare-and-swap was removed"
            + " together with a concurrent write its deleter never saw (a lost update)"));
      }
    }
  }

  @FunctionalInterface
  private interface StoreCall<T> {
    T apply() throws IOException;
  }

  private final InMemoryBlobStore raw;
  private final Scheduler scheduler;
  private final Ledger ledger;
  private final int process;

  SimStore(InMemoryBlobStore raw, Scheduler scheduler, Ledger ledger, int process) {
    this.raw = raw;
    this.scheduler = scheduler;
    this.ledger = ledger;
    this.process = process;
  }

  @Override
  public String scheme() {
    return raw.scheme();
  }

  @Override
  public Capabilities capabilities() {
    return raw.capabilities();
  }

  @Override
  public BlobOutput create(String key, Condition condition) {
    BlobStore.requireKey(key);
    return new BufferedBlobOutput(bytes -> call(new Call("put", key, describe(condition), true), () -> {
      Optional<String> etag = raw.put(key, bytes, condition);
      etag.ifPresent(e -> ledger.wrote(process, key, e, condition));
      return etag;
    }));
  }

  @Override
  public Optional<BlobContent> get(String key, long offset, long length) throws IOException {
    return call(new Call("get", key, "", false), () -> {
      Optional<BlobContent> content = raw.get(key, offset, length);
      content.ifPresent(c -> ledger.saw(process, key, c.info().etag()));
      return content;
    });
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    return call(new Call("head", key, "", false), () -> {
      Optional<BlobInfo> info = raw.head(key);
      info.ifPresent(i -> ledger.saw(process, key, i.etag()));
      return info;
    });
  }

  @Override
  public ListPage list(String prefix, boolean delimited, @Nullable String pageToken) throws IOException {
    return call(new Call("list", prefix, delimited ? "delimited" : "", false), () -> {
      ListPage page = raw.list(prefix, delimited, pageToken);
      page.blobs().forEach(b -> ledger.saw(process, b.key(), b.etag()));
      return page;
    });
  }

  @Override
  public boolean delete(String key, Condition condition) throws IOException {
    return call(new Call("delete", key, describe(condition), true), () -> {
      if (condition instanceof Condition.None || !raw.capabilities().conditionalDelete()) {
        Optional<BlobInfo> current = raw.head(key); // the ledger's look, not a call of the actor
        if (current.isPresent()) {
          ledger.deleting(process, key, current.get().etag(), scheduler.steps());
        }
      }
      return raw.delete(key, condition);
    });
  }

  @Override
  public void close() {
    // the data stays: every process shares the one store
  }

  private <T> T call(Call call, StoreCall<T> apply) throws IOException {
    Scheduler.Grant grant = scheduler.request(call);
    switch (grant.fault()) {
      case ERROR_BEFORE -> throw new IOException("simulated network error: " + call + " was not sent");
      case CRASH -> scheduler.crash();
      case CRASH_AFTER -> {
        apply.apply();
        scheduler.crash();
      }
      case ERROR_AFTER -> {
        apply.apply();
        throw new IOException("simulated timeout: " + call + " was applied, but its response was lost");
      }
      case LOST_RESPONSE -> {
        apply.apply();
        return apply.apply(); // the client's retry, whose outcome the caller sees
      }
      case SLOW_RESPONSE -> {
        T result = apply.apply();
        scheduler.holdResponse(grant.holdSteps());
        return result;
      }
      default -> {
        // NONE (a clock jump or a slow request has already happened by now)
      }
    }
    return apply.apply();
  }

  private static String describe(Condition condition) {
    if (condition instanceof Condition.IfMatch m) {
      return "if-match " + m.etag();
    }
    return condition instanceof Condition.IfAbsent ? "if-absent" : "";
  }
}
