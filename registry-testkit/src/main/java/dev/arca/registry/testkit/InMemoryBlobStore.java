package dev.arca.registry.testkit;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobStore} in memory, for unit tests of the core and for the conformance suites' reference run.
 * Conditions are checked and applied under one lock, so it is exactly atomic. It can also be told to ignore
 * conditions, to test that the core refuses such a store.
 *
 * <p>Thread-safe. {@link #close()} keeps the data, so several registries in one test can share one store.
 */
public final class InMemoryBlobStore implements BlobStore {

  private record Entry(byte[] bytes, String etag, Instant modified) {}

  private final TreeMap<String, Entry> data = new TreeMap<>();
  private final Clock clock;
  private final Capabilities capabilities;
  private final boolean honorConditions;
  private final int pageSize;
  private final AtomicLong etags = new AtomicLong();
  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private volatile boolean unreachable;
  private final java.util.concurrent.atomic.AtomicInteger responsesToLose = new java.util.concurrent.atomic.AtomicInteger();

  private InMemoryBlobStore(Builder builder) {
    this.clock = builder.clock;
    Capabilities full = Capabilities.full().withRemote(builder.remote);
    this.capabilities = builder.conditionalDelete ? full : new Capabilities(full.conditionalCreate(),
        full.conditionalReplace(), false, full.maxNameLength(), full.remote());
    this.honorConditions = builder.honorConditions;
    this.pageSize = builder.pageSize;
  }

  /**
   * An atomic, local, in-memory store with the system clock.
   *
   * @return the store
   */
  public static InMemoryBlobStore create() {
    return builder().build();
  }

  /**
   * Starts configuring a store.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * How many requests of one kind were made: {@code get}, {@code head}, {@code put}, {@code list},
   * {@code delete}.
   *
   * @param kind the kind
   * @return the count
   */
  public long requests(String kind) {
    AtomicLong n = requests.get(kind);
    return n == null ? 0 : n.get();
  }

  /**
   * Makes the next {@code n} conditional writes take effect but report a failed condition, as a client sees
   * it when the response to its write was lost and its retry then found its own write in place.
   *
   * @param n how many
   */
  public void loseConditionalResponses(int n) {
    responsesToLose.set(n);
  }

  /**
   * Makes every request fail as if the server were down, until called again with false.
   *
   * @param down whether the store is unreachable
   */
  public void setUnreachable(boolean down) {
    this.unreachable = down;
  }

  /**
   * Every key stored, sorted.
   *
   * @return the keys
   */
  public synchronized List<String> keys() {
    return new ArrayList<>(data.keySet());
  }

  /**
   * Replaces a stored object's bytes behind the store's back, keeping its etag: to test corruption detection.
   *
   * @param key an existing key
   * @param bytes the new bytes
   */
  public synchronized void corrupt(String key, byte[] bytes) {
    Entry e = data.get(key);
    if (e == null) {
      throw new IllegalArgumentException("no key " + key);
    }
    data.put(key, new Entry(bytes.clone(), e.etag(), e.modified()));
  }

  @Override
  public String scheme() {
    return "mem";
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public BlobOutput create(String key, Condition condition) {
    BlobStore.requireKey(key);
    return new BufferedBlobOutput(bytes -> {
      count("put");
      return putIf(key, bytes, condition);
    });
  }

  private synchronized Optional<String> putIf(String key, byte[] bytes, Condition condition) {
    Entry current = data.get(key);
    if (honorConditions) {
      if (condition instanceof Condition.IfAbsent && current != null) {
        return Optional.empty();
      }
      if (condition instanceof Condition.IfMatch m && (current == null || !current.etag().equals(m.etag()))) {
        return Optional.empty();
      }
    }
    String etag = "e" + etags.incrementAndGet();
    data.put(key, new Entry(bytes, etag, clock.instant()));
    if (!(condition instanceof Condition.None) && responsesToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return Optional.empty();
    }
    return Optional.of(etag);
  }

  @Override
  public Optional<BlobContent> get(String key, long offset, long length) throws java.io.IOException {
    BlobStore.requireKey(key);
    count("get");
    Entry e;
    synchronized (this) {
      e = data.get(key);
    }
    if (e == null) {
      return Optional.empty();
    }
    int from = (int) Math.min(offset, e.bytes().length);
    int to = length < 0 ? e.bytes().length : (int) Math.min(e.bytes().length, offset + length);
    return Optional.of(new BlobContent(info(key, e), new ByteArrayInputStream(e.bytes(), from, to - from)));
  }

  @Override
  public synchronized Optional<BlobInfo> head(String key) throws java.io.IOException {
    BlobStore.requireKey(key);
    count("head");
    Entry e = data.get(key);
    return e == null ? Optional.empty() : Optional.of(info(key, e));
  }

  @Override
  public synchronized ListPage list(String prefix, boolean delimited, @Nullable String pageToken)
      throws java.io.IOException {
    BlobStore.requirePrefix(prefix);
    count("list");
    List<BlobInfo> blobs = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String cursor = pageToken != null ? pageToken : prefix;
    boolean inclusive = pageToken == null;
    for (int taken = 0; taken < pageSize; taken++) {
      Map.Entry<String, Entry> e = inclusive ? data.ceilingEntry(cursor) : data.higherEntry(cursor);
      inclusive = false;
      if (e == null || !e.getKey().startsWith(prefix)) {
        return new ListPage(blobs, prefixes, null);
      }
      String key = e.getKey();
      int slash = key.indexOf('/', prefix.length());
      if (delimited && slash >= 0) {
        String sub = key.substring(0, slash + 1);
        prefixes.add(sub);
        cursor = sub + Character.MAX_VALUE; // past every key under it: keys are ASCII
      } else {
        blobs.add(info(key, e.getValue()));
        cursor = key;
      }
    }
    Map.Entry<String, Entry> more = data.higherEntry(cursor);
    return new ListPage(blobs, prefixes, more != null && more.getKey().startsWith(prefix) ? cursor : null);
  }

  @Override
  public Optional<Instant> now() {
    return Optional.of(clock.instant());
  }

  @Override
  public synchronized boolean delete(String key, Condition condition) throws java.io.IOException {
    BlobStore.requireKey(key);
    count("delete");
    Entry current = data.get(key);
    if (current == null) {
      return false;
    }
    if (honorConditions && capabilities.conditionalDelete() && condition instanceof Condition.IfMatch m
        && !current.etag().equals(m.etag())) {
      return false;
    }
    data.remove(key);
    return true;
  }

  @Override
  public void close() {
    // keeps the data: several registries may share this store
  }

  private static BlobInfo info(String key, Entry e) {
    return new BlobInfo(key, e.bytes().length, e.etag(), e.modified());
  }

  private void count(String kind) throws java.io.IOException {
    if (unreachable) {
      throw new java.net.ConnectException("in-memory store set unreachable: connection refused");
    }
    requests.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  /** Configures an {@link InMemoryBlobStore}. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private boolean remote;
    private boolean honorConditions = true;
    private boolean conditionalDelete = true;
    private int pageSize = 1000;

    private Builder() {}

    /**
     * The clock stamping last-modified times (default: system UTC).
     *
     * @param value the clock
     * @return this builder
     */
    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    /**
     * Declares the store remote, so the core probes its conditional writes on open.
     *
     * @return this builder
     */
    public Builder remote() {
      this.remote = true;
      return this;
    }

    /**
     * Makes the store ignore every condition, as a broken server would.
     *
     * @return this builder
     */
    public Builder ignoringConditions() {
      this.honorConditions = false;
      return this;
    }

    /**
     * Declares {@code capabilities().conditionalDelete()} false and, like S3 before it offered conditional
     * deletes, ignores the condition of a delete: the core must not rely on it.
     *
     * @return this builder
     */
    public Builder withoutConditionalDelete() {
      this.conditionalDelete = false;
      return this;
    }

    /**
     * Entries per list page (default 1000), small to exercise paging.
     *
     * @param value a positive size
     * @return this builder
     */
    public Builder pageSize(int value) {
      this.pageSize = value;
      return this;
    }

    /**
     * Creates the store.
     *
     * @return the store
     */
    public InMemoryBlobStore build() {
      return new InMemoryBlobStore(this);
    }
  }
}
