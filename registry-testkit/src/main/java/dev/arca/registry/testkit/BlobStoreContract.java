package dev.arca.registry.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link BlobStore} meets. A backend's test extends this and supplies a fresh, empty store
 * per test; tests that need a capability the store does not declare are skipped with the reason.
 */
public abstract class BlobStoreContract {

  /** The store under test, fresh for each test. */
  protected BlobStore store;

  /**
   * A new, empty store (a random root or prefix per call).
   *
   * @return the store
   * @throws Exception when it cannot be created
   */
  protected abstract BlobStore newStore() throws Exception;

  /**
   * Rounds of each race test. Override to raise it for a backend whose atomicity is in question.
   *
   * @return the number of rounds
   */
  protected int raceRounds() {
    return Integer.getInteger("arca.test.raceRounds", 100);
  }

  /**
   * Why replace-if-match races are skipped on this store, or null to run them. By default they run when the
   * store declares atomic compare-and-swap.
   *
   * @return the reason to skip, or null
   */
  protected String skipCompareAndSwapRaces() {
    return store.capabilities().conditionalReplace() ? null : "the store does not declare atomic replace-if-match";
  }

  /**
   * Why reads racing overwrites are skipped on this store, or null to run them (the default).
   *
   * @return the reason to skip, or null
   */
  protected String skipOverwriteReadRaces() {
    return null;
  }

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws IOException {
    if (store != null) { // null when newStore() aborted the test by an assumption
      store.close();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private String read(String key) throws IOException {
    Optional<BlobContent> content = store.get(key);
    assertThat(content).as("content of " + key).isPresent();
    return new String(content.get().readAllAndClose(), UTF_8);
  }

  @Test
  void put_thenGet_returnsTheBytesAndTheEtagOfHead() throws IOException {
    Optional<String> etag = store.put("a/b.txt", bytes("hello"), Condition.NONE);

    assertThat(etag).isPresent();
    assertThat(read("a/b.txt")).isEqualTo("hello");
    BlobInfo head = store.head("a/b.txt").orElseThrow();
    assertThat(head.size()).isEqualTo(5);
    assertThat(head.etag()).isEqualTo(etag.get());
    try (BlobContent content = store.get("a/b.txt").orElseThrow()) {
      assertThat(content.info().etag()).isEqualTo(etag.get());
    }
  }

  @Test
  void longSegmentsEndingInDots_areKeysOfTheirOwn() throws IOException {
    String base = "x".repeat(200);
    List<String> keys = List.of("d/" + base, "d/" + base + ".", "d/" + base + "..", "d/" + base + ".e");
    for (String key : keys) {
      store.put(key + "/f", bytes(key), Condition.NONE);
    }

    for (String key : keys) {
      assertThat(read(key + "/f")).as(key).isEqualTo(key);
    }
    assertThat(store.listAll("d/", true).prefixes()).containsExactlyInAnyOrderElementsOf(
        keys.stream().map(k -> k + "/").toList());
  }

  @Test
  void get_missingKey_isEmpty() throws IOException {
    assertThat(store.get("no/such")).isEmpty();
    assertThat(store.head("no/such")).isEmpty();
  }

  @Test
  void get_range_returnsOnlyThoseBytes() throws IOException {
    store.put("r", bytes("0123456789"), Condition.NONE);

    try (BlobContent c = store.get("r", 3, 4).orElseThrow()) {
      assertThat(new String(c.stream().readAllBytes(), UTF_8)).isEqualTo("3456");
    }
    try (BlobContent c = store.get("r", 7, -1).orElseThrow()) {
      assertThat(new String(c.stream().readAllBytes(), UTF_8)).isEqualTo("789");
    }
  }

  @Test
  void put_emptyObject_roundTrips() throws IOException {
    store.put("empty", new byte[0], Condition.NONE);

    assertThat(read("empty")).isEmpty();
    assertThat(store.head("empty").orElseThrow().size()).isZero();
  }

  @Test
  void put_unconditional_replaces() throws IOException {
    store.put("k", bytes("one"), Condition.NONE);
    store.put("k", bytes("two"), Condition.NONE);

    assertThat(read("k")).isEqualTo("two");
  }

  @Test
  void ifAbsent_onExistingKey_failsAndLeavesItUnchanged() throws IOException {
    assertThat(store.put("k", bytes("first"), Condition.IF_ABSENT)).isPresent();

    assertThat(store.put("k", bytes("second"), Condition.IF_ABSENT)).isEmpty();
    assertThat(read("k")).isEqualTo("first");
  }

  @Test
  void ifMatch_withCurrentEtag_replaces_withStaleEtag_fails() throws IOException {
    String first = store.put("k", bytes("v1"), Condition.NONE).orElseThrow();
    String second = store.put("k", bytes("v2"), Condition.ifMatch(first)).orElseThrow();

    assertThat(store.put("k", bytes("v3"), Condition.ifMatch(first))).isEmpty();
    assertThat(read("k")).isEqualTo("v2");
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void ifMatch_onMissingKey_fails() throws IOException {
    assertThat(store.put("k", bytes("v"), Condition.ifMatch("whatever"))).isEmpty();
    assertThat(store.get("k")).isEmpty();
  }

  @Test
  void etag_changesWhenTheBytesChange_andAStaleOneNeverMatches() throws IOException {
    String a = store.put("k", bytes("one"), Condition.NONE).orElseThrow();
    String b = store.put("k", bytes("two"), Condition.ifMatch(a)).orElseThrow();
    String c = store.put("k", bytes("three"), Condition.ifMatch(b)).orElseThrow();

    assertThat(List.of(a, b, c)).doesNotHaveDuplicates();
    assertThat(store.put("k", bytes("four"), Condition.ifMatch(a))).isEmpty();
    assertThat(store.head("k").orElseThrow().etag()).isEqualTo(c);
  }

  @Test
  void uncommittedWrite_isInvisible_andCloseDiscardsIt() throws IOException {
    try (BlobOutput out = store.create("pending/k", Condition.NONE)) {
      out.write(bytes("partial"));
      assertThat(store.get("pending/k")).isEmpty();
      assertThat(store.listAll("", false).blobs()).isEmpty();
    }

    assertThat(store.get("pending/k")).isEmpty();
    assertThat(store.listAll("", false).blobs()).isEmpty();
    assertThat(store.listAll("", true).prefixes()).isEmpty();
  }

  @Test
  void delete_removes_andReportsWhetherSomethingWasThere() throws IOException {
    store.put("d/k", bytes("x"), Condition.NONE);

    assertThat(store.delete("d/k", Condition.NONE)).isTrue();
    assertThat(store.delete("d/k", Condition.NONE)).isFalse();
    assertThat(store.get("d/k")).isEmpty();
    assertThat(store.listAll("", true).prefixes()).as("no empty folder left listed").isEmpty();
  }

  @Test
  void delete_ifMatch_withStaleEtag_keepsTheObject() throws IOException {
    assumeTrue(store.capabilities().conditionalDelete(), "the store does not declare conditional delete");
    String first = store.put("k", bytes("v1"), Condition.NONE).orElseThrow();
    String second = store.put("k", bytes("v2"), Condition.ifMatch(first)).orElseThrow();

    assertThat(store.delete("k", Condition.ifMatch(first))).isFalse();
    assertThat(read("k")).isEqualTo("v2");
    assertThat(store.delete("k", Condition.ifMatch(second))).isTrue();
    assertThat(store.get("k")).isEmpty();
  }

  @Test
  void list_delimited_returnsDirectChildrenAndSubPrefixes_sorted() throws IOException {
    for (String key : List.of("p/b", "p/a", "p/sub/x", "p/sub/y", "p/zz/deep/k", "q/other")) {
      store.put(key, bytes(key), Condition.NONE);
    }

    ListPage page = store.listAll("p/", true);

    assertThat(page.blobs()).extracting(BlobInfo::key).containsExactly("p/a", "p/b");
    assertThat(page.prefixes()).containsExactly("p/sub/", "p/zz/");
    assertThat(store.listAll("", true).prefixes()).containsExactly("p/", "q/");
  }

  @Test
  void list_recursive_returnsEveryObjectBelow_inKeyOrder() throws IOException {
    for (String key : List.of("p/b", "p/a.b", "p/a/x", "p/sub/y", "q/other")) {
      store.put(key, bytes(key), Condition.NONE);
    }

    ListPage page = store.listAll("p/", false);

    assertThat(page.prefixes()).isEmpty();
    assertThat(page.blobs()).extracting(BlobInfo::key).containsExactly("p/a.b", "p/a/x", "p/b", "p/sub/y");
    assertThat(page.blobs().get(0).size()).isEqualTo(5);
  }

  @Test
  void list_followsPagesPastOneThousandKeys() throws IOException {
    int n = 1205;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String key = String.format("many/k%05d", i);
      expected.add(key);
      store.put(key, new byte[] {1}, Condition.NONE);
    }

    assertThat(store.listAll("many/", false).blobs()).extracting(BlobInfo::key).containsExactlyElementsOf(expected);
    assertThat(store.listAll("many/", true).blobs()).hasSize(n);
  }

  @Test
  void keys_withLongSegmentsAndEscapes_roundTripThroughList() throws IOException {
    String longSegment = "a%3A".repeat(150); // 600 characters, past any file-name limit
    List<String> keys = List.of("n/" + longSegment + "/v.json", "n/x%2Fy", "n/-._", "n/" + longSegment + "z/f");
    for (String key : keys) {
      store.put(key, bytes(key), Condition.NONE);
    }

    for (String key : keys) {
      assertThat(read(key)).isEqualTo(key);
    }
    assertThat(store.listAll("n/", false).blobs()).extracting(BlobInfo::key).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(store.listAll("n/", true).prefixes())
        .containsExactlyInAnyOrder("n/" + longSegment + "/", "n/" + longSegment + "z/");
    assertThat(store.listAll("n/" + longSegment + "/", true).blobs()).extracting(BlobInfo::key)
        .containsExactly("n/" + longSegment + "/v.json");
  }

  @Test
  void invalidKeys_areRefused() {
    for (String bad : List.of("", "/a", "a/", "a//b", "../x", "a/../b", "a/./b", "a b", "a~b", "ü")) {
      assertThatThrownBy(() -> store.put(bad, new byte[0], Condition.NONE)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void largeObject_streamsInAndOut() throws IOException {
    byte[] chunk = new byte[1 << 16];
    new Random(7).nextBytes(chunk);
    int chunks = 128; // 8 MiB
    try (BlobOutput out = store.create("big", Condition.NONE)) {
      for (int i = 0; i < chunks; i++) {
        chunk[0] = (byte) i;
        out.write(chunk);
      }
      out.commit();
    }

    try (BlobContent c = store.get("big").orElseThrow(); InputStream in = c.stream()) {
      byte[] buffer = new byte[chunk.length];
      for (int i = 0; i < chunks; i++) {
        assertThat(in.readNBytes(buffer, 0, buffer.length)).isEqualTo(buffer.length);
        assertThat(buffer[0]).isEqualTo((byte) i);
        assertThat(buffer[1]).isEqualTo(chunk[1]);
      }
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  /**
   * Conditions and etags hold whatever the size. 12 MiB is larger than one S3 part (8 MiB by default), where a
   * server may ignore the conditions of a multipart completion (Ceph's RADOS Gateway does, and answers it an
   * empty etag).
   */
  @Test
  void largeWrites_honourTheirConditions_andReturnTheEtagOfHead() throws IOException {
    byte[] large = new byte[12 << 20];
    new Random(11).nextBytes(large);
    String first = store.put("doc", bytes("first"), Condition.NONE).orElseThrow();
    String second = store.put("doc", bytes("second"), Condition.NONE).orElseThrow();

    assertThat(streamed("doc", large, Condition.IF_ABSENT)).as("create-if-absent over an existing key").isEmpty();
    assertThat(streamed("doc", large, Condition.ifMatch(first))).as("replace with a stale etag").isEmpty();
    assertThat(read("doc")).isEqualTo("second");
    Optional<String> replaced = streamed("doc", large, Condition.ifMatch(second));
    Optional<String> created = streamed("new", large, Condition.IF_ABSENT);
    Optional<String> unconditional = streamed("plain", large, Condition.NONE);

    assertThat(replaced).as("replace with the current etag").isPresent();
    assertThat(created).as("create-if-absent of a new key").isPresent();
    assertThat(unconditional).isPresent();
    assertThat(store.head("doc").orElseThrow().etag()).isEqualTo(replaced.get());
    assertThat(store.head("new").orElseThrow().etag()).isEqualTo(created.get());
    assertThat(store.head("plain").orElseThrow().etag()).isEqualTo(unconditional.get());
    try (BlobContent c = store.get("doc").orElseThrow()) {
      assertThat(c.stream().readAllBytes()).isEqualTo(large);
    }
  }

  /** Writes {@code data} in 64 KiB pieces, as the core streams files. */
  private Optional<String> streamed(String key, byte[] data, Condition condition) throws IOException {
    try (BlobOutput out = store.create(key, condition)) {
      for (int off = 0; off < data.length; off += 1 << 16) {
        out.write(data, off, Math.min(1 << 16, data.length - off));
      }
      return out.commit();
    }
  }

  /**
   * Manifests, tags and settings are small documents read whole while other processes replace them: every read
   * must return one whole write with that write's own etag (the core compare-and-swaps on it), never fail. The
   * etags come from the reads, not the writes: S3Proxy answers a PUT racing another with the other's etag.
   */
  @Tag("race")
  @Test
  void get_whileTheObjectIsOverwritten_returnsOneWholeWriteWithItsEtag_andNeverFails() throws IOException {
    String skip = skipOverwriteReadRaces();
    assumeTrue(skip == null, skip);
    int writers = 2;
    int writes = 40;
    Set<String> bodies = new HashSet<>();
    for (int w = -1; w < writers; w++) {
      for (int i = 0; i < writes; i++) {
        bodies.add(new String(document(w, i), UTF_8));
      }
    }
    store.put("hot", document(-1, 0), Condition.NONE);
    AtomicInteger writing = new AtomicInteger(writers);

    List<Race.Outcome<List<String[]>>> outcomes = Race.run(writers + 2, i -> {
      List<String[]> reads = new ArrayList<>();
      if (i < writers) {
        try {
          for (int w = 0; w < writes; w++) {
            store.put("hot", document(i, w), Condition.NONE);
          }
        } finally {
          writing.decrementAndGet();
        }
        return reads;
      }
      do {
        try (BlobContent c = store.get("hot").orElseThrow()) {
          reads.add(new String[] {c.info().etag(), new String(c.stream().readAllBytes(), UTF_8)});
        }
      } while (writing.get() > 0);
      return reads;
    });

    assertThat(outcomes).allMatch(Race.Outcome::ok);
    Map<String, String> bodyOfEtag = new HashMap<>();
    for (Race.Outcome<List<String[]>> o : outcomes) {
      for (String[] read : o.value()) {
        assertThat(bodies).as("a whole write").contains(read[1]);
        assertThat(bodyOfEtag.putIfAbsent(read[0], read[1])).as("the one body etag " + read[0] + " names")
            .isIn(null, read[1]);
      }
    }
    assertThat(bodyOfEtag).as("reads during the overwrites").isNotEmpty();
  }

  /** A document of about 20 KiB whose every line names its write, so a mix of two writes shows. */
  private static byte[] document(int writer, int write) {
    return ("writer " + writer + " write " + write + "\n").repeat(1200).getBytes(UTF_8);
  }

  @Tag("race")
  @Test
  void createIfAbsentRace_exactlyOneOfEightWins_everyRound() throws IOException {
    for (int round = 0; round < raceRounds(); round++) {
      String key = "race/k" + round;
      List<Race.Outcome<Boolean>> outcomes =
          Race.run(8, i -> store.put(key, bytes("writer-" + i), Condition.IF_ABSENT).isPresent());

      assertThat(outcomes).allMatch(Race.Outcome::ok);
      List<Integer> winners = new ArrayList<>();
      for (int i = 0; i < outcomes.size(); i++) {
        if (outcomes.get(i).value()) {
          winners.add(i);
        }
      }
      assertThat(winners).as("winners of round " + round).hasSize(1);
      assertThat(read(key)).isEqualTo("writer-" + winners.get(0));
    }
  }

  @Tag("race")
  @Test
  void compareAndSwapRace_exactlyOneOfEightWins_everyRound() throws IOException {
    String skip = skipCompareAndSwapRaces();
    assumeTrue(skip == null, skip);
    String etag = store.put("cas", bytes("start"), Condition.NONE).orElseThrow();
    for (int round = 0; round < raceRounds(); round++) {
      String from = etag;
      int r = round;
      List<Race.Outcome<Optional<String>>> outcomes =
          Race.run(8, i -> store.put("cas", bytes(r + "-" + i), Condition.ifMatch(from)));

      assertThat(outcomes).allMatch(Race.Outcome::ok);
      List<Integer> winners = new ArrayList<>();
      for (int i = 0; i < outcomes.size(); i++) {
        if (outcomes.get(i).value().isPresent()) {
          winners.add(i);
          etag = outcomes.get(i).value().get();
        }
      }
      assertThat(winners).as("winners of round " + round).hasSize(1);
      assertThat(read("cas")).isEqualTo(round + "-" + winners.get(0));
    }
  }
}
