package dev.arca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.BatchResult;
import dev.arca.registry.CopyResult;
import dev.arca.registry.Manifest;
import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.Registry;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.Version;
import dev.arca.registry.testkit.InMemoryBlobStore;
import dev.arca.registry.testkit.ManualClock;
import dev.arca.registry.testkit.S3ProxyExtension;
import dev.arca.registry.testkit.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Store routing over a local mount and an S3 mount (S3Proxy), plus copy, promote and sync between them. */
class StoreTest {

  @RegisterExtension
  static final S3ProxyExtension S3 = new S3ProxyExtension();

  @TempDir Path dir;
  private Store store;



  static Registry s3Registry(Path cache) {
    S3BlobStore s3 = S3BlobStore.builder().endpoint(S3.server().endpoint()).bucket(S3.server().createBucket()).pathStyle(true)
        .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
    return Registry.builder().blobStore(s3).cache(cache, 64 << 20).build();
  }

  @BeforeEach
  void openStore() {
    store = Store.builder()
        .mount("local", Registry.open(dir.resolve("local").toUri()))
        .mount("s3", s3Registry(dir.resolve("cache")))
        .defaultMount("local")
        .build();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void writes_unqualifiedToTheDefault_qualifiedToTheirMount() {
    store.save("a", 1);
    store.save("s3/b", 2);

    assertThat(store.names()).containsExactly("local/a", "s3/b");
    assertThat(store.get("a")).isEqualTo(1);
    assertThat(store.get("b")).isEqualTo(2);
    assertThat(store.get("s3/b@1.0.0")).isEqualTo(2);
    assertThat(store.info("local/a").version()).isEqualTo(Version.parse("1", 3));
  }

  @Test
  void unknownMount_isStoreLocationNotFound_andNothingIsWritten() {
    assertThatThrownBy(() -> store.save("s4/model", 1)).isInstanceOf(StoreLocationNotFound.class)
        .hasMessageContaining("no mount named 's4'").hasMessageContaining("Nothing was read or written");
    assertThatThrownBy(() -> store.get("s4/model")).isInstanceOf(StoreLocationNotFound.class);
    assertThat(store.names()).isEmpty();
  }

  @Test
  void malformedKeys_areStoreKeyFormatErrors() {
    for (String bad : List.of("a/b/c", "/x", "local/", "lo cal/x", "local/../x", "x@", "")) {
      assertThatThrownBy(() -> store.save(bad, 1)).as(bad).isInstanceOf(StoreKeyFormatException.class)
          .hasMessageContaining("[mount/]name");
    }
  }

  @Test
  void readOnlyMount_refusesWritesAndDeletes_butServesReads() {
    Registry shared = Registry.open(dir.resolve("shared").toUri());
    shared.save("published", "v1");
    store.mount("shared", shared, true);

    assertThatThrownBy(() -> store.save("shared/x", 1)).isInstanceOf(ReadOnlyMountException.class)
        .hasMessageContaining("read-only");
    assertThatThrownBy(() -> store.delete("shared/published")).isInstanceOf(ReadOnlyMountException.class);
    assertThatThrownBy(() -> store.delete("published")).isInstanceOf(ReadOnlyMountException.class);
    assertThatThrownBy(() -> store.setDefaultMount("shared")).isInstanceOf(ReadOnlyMountException.class);
    store.save("local/m", 1);
    assertThatThrownBy(() -> store.copy("local/m", "shared")).isInstanceOf(ReadOnlyMountException.class);
    assertThatThrownBy(() -> store.sync("local", "shared")).isInstanceOf(ReadOnlyMountException.class);
    assertThat(store.get("published")).isEqualTo("v1");
  }

  @Test
  void tempMount_cannotBeRemoved_isTheFallbackDefault_andIsDeletedOnClose() {
    Path temp;
    try (Store fresh = Store.builder().build()) {
      assertThat(fresh.defaultMount()).contains("temp");
      fresh.save("scratch", "s");
      assertThat(fresh.names()).containsExactly("temp/scratch");
      assertThatThrownBy(() -> fresh.unmount("temp")).isInstanceOf(IllegalArgumentException.class);
      fresh.mount("other", Registry.open(dir.resolve("other").toUri()), false);
      fresh.setDefaultMount("other");
      fresh.unmount("other");
      assertThat(fresh.defaultMount()).as("temp is the only mount again").contains("temp");
      assertThat(fresh.mounts()).extracting(Store.MountInfo::name).containsExactly("temp");
      temp = fresh.tempDirectory();
      assertThat(temp).isDirectory();
    }
    assertThat(temp).doesNotExist();
  }

  @Test
  void unqualifiedRead_foundNowhere_somewhere_orTwice() {
    store.save("local/only-local", 1);
    store.save("local/both", "L");
    store.save("s3/both", "S");

    assertThat(store.get("only-local")).isEqualTo(1);
    assertThatThrownBy(() -> store.get("missing")).isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("none of the mounts");
    assertThatThrownBy(() -> store.get("both")).isInstanceOf(StoreAmbiguousObjectError.class)
        .hasMessageContaining("local and s3").hasMessageContaining("local/both");
    assertThat(store.get("s3/both")).isEqualTo("S");
  }

  @Test
  void locationCache_makesARepeatedUnqualifiedReadOneProbe() {
    InMemoryBlobStore a = InMemoryBlobStore.create();
    InMemoryBlobStore b = InMemoryBlobStore.create();
    try (Store counted = Store.builder().mount("a", Registry.builder().blobStore(a).build())
        .mount("b", Registry.builder().blobStore(b).build()).clock(ManualClock.startingNow()).build()) {
      counted.save("b/x", "value");
      long before = a.requests("list") + a.requests("get");
      assertThat(counted.get("x")).isEqualTo("value");
      long afterFirst = a.requests("list") + a.requests("get");

      assertThat(counted.get("x")).isEqualTo("value");

      assertThat(afterFirst).as("the first read probes mount a too").isGreaterThan(before);
      assertThat(a.requests("list") + a.requests("get")).as("the second read asks only b").isEqualTo(afterFirst);
    }
  }

  @Test
  void unqualifiedWrite_withNoDefaultMount_isRefusedNamingTheMounts_andTempIsUsedOnlyWhenNamed() {
    try (Store noDefault = Store.builder().mount("a", Registry.open(dir.resolve("a").toUri()))
        .mount("b", Registry.open(dir.resolve("b").toUri())).build()) {
      assertThat(noDefault.defaultMount()).isEmpty();
      assertThat(noDefault.mounts()).noneMatch(Store.MountInfo::isDefault);

      assertThatThrownBy(() -> noDefault.save("model", 1)).isInstanceOf(StoreLocationNotFound.class)
          .hasMessageContaining("model").hasMessageContaining("no default mount")
          .hasMessageContaining("[temp, a, b]").hasMessageContaining("a/model");
      noDefault.save("temp/scratch", 2);

      assertThat(noDefault.names()).containsExactly("temp/scratch");
    }
  }

  @Test
  void unqualifiedWrite_whenEveryMountButTempIsReadOnly_isRefusedAsReadOnly_namingThem() {
    try (Registry registry = Registry.open(dir.resolve("ro").toUri())) {
      registry.save("model", 1);
    }
    try (Store readOnly = Store.builder().mount("ro", Registry.builder().uri(dir.resolve("ro").toUri())
        .readOnly(true).build()).build()) {
      assertThatThrownBy(() -> readOnly.save("model", 2)).isInstanceOf(ReadOnlyMountException.class)
          .hasMessageContaining("model").hasMessageContaining("read-only").hasMessageContaining("[ro]")
          .hasMessageContaining("temp/model");
      assertThat(readOnly.get("model")).isEqualTo(1);
    }
  }

  @Test
  void unmountingTheDefaultMount_leavesNoDefault_whileOtherMountsRemain() {
    store.unmount("local");

    assertThat(store.defaultMount()).isEmpty();
    assertThatThrownBy(() -> store.save("model", 1)).isInstanceOf(StoreLocationNotFound.class)
        .hasMessageContaining("no default mount");
  }

  @Test
  void aNameAnotherProcessWritesIntoASecondMount_isAmbiguousOnceTheMemoryOfItsLocationExpires() {
    ManualClock clock = ManualClock.startingNow();
    try (Store reader = storeOverAAndB(clock)) {
      rememberInA_thenAnotherProcessWritesIntoB(reader);
      clock.advance(Store.DEFAULT_LOCATION_MEMORY.plusMillis(1));

      assertThatThrownBy(() -> reader.get("model")).isInstanceOf(StoreAmbiguousObjectError.class)
          .hasMessageContaining("a and b");
      assertThatThrownBy(() -> reader.info("model")).isInstanceOf(StoreAmbiguousObjectError.class);
      assertThat(reader.exists("model")).as("exists answers whether any mount holds it").isTrue();
    }
  }

  @Test
  void unqualifiedDelete_asksEveryMount_evenWhileTheLocationIsRemembered() {
    try (Store reader = storeOverAAndB(ManualClock.startingNow())) {
      rememberInA_thenAnotherProcessWritesIntoB(reader);

      assertThatThrownBy(() -> reader.delete("model")).isInstanceOf(StoreAmbiguousObjectError.class)
          .hasMessageContaining("a and b");
      assertThat(reader.get("a/model")).isEqualTo("A");
      assertThat(reader.get("b/model")).isEqualTo("B");
    }
  }

  /** A store over local mounts a (the default) and b, its location memory aged by {@code clock}. */
  private Store storeOverAAndB(ManualClock clock) {
    return Store.builder().mount("a", Registry.open(dir.resolve("a").toUri()))
        .mount("b", Registry.open(dir.resolve("b").toUri())).defaultMount("a").clock(clock).build();
  }

  /** Saves model into a and reads it unqualified (remembering a); then another process writes model into b. */
  private void rememberInA_thenAnotherProcessWritesIntoB(Store reader) {
    reader.save("a/model", "A");
    assertThat(reader.get("model")).isEqualTo("A");
    try (Registry otherProcess = Registry.open(dir.resolve("b").toUri())) {
      otherProcess.save("model", "B");
    }
  }

  @Test
  void exists_onANameTwoMountsHold_isTrue() {
    store.save("local/both", 1);
    store.save("s3/both", 2);

    assertThat(store.exists("both")).isTrue();
    assertThat(store.containsKey("both")).isTrue();
    assertThat(store.exists("neither")).isFalse();
  }

  @Test
  void mounts_reportEachBackendsScheme() {
    assertThat(store.mounts()).extracting(Store.MountInfo::name, Store.MountInfo::scheme)
        .containsExactly(tuple("temp", "file"),
            tuple("local", "file"), tuple("s3", "s3"));
  }

  @Test
  void saveAll_withTwoKeysNamingOneVersion_isRejectedBeforeWritingAnything() {
    Map<String, Object> sameVersion = new LinkedHashMap<>();
    sameVersion.put("first", 0);
    sameVersion.put("m@1", 1);
    sameVersion.put("local/m@1.0.0", 2);
    store.mount("flat", Registry.builder().uri(dir.resolve("flat").toUri()).versioned(false).build(), false);
    Map<String, Object> unversioned = new LinkedHashMap<>();
    unversioned.put("flat/x", 1);
    unversioned.put("flat/x@1.0.0", 2);

    assertThatThrownBy(() -> store.saveAll(sameVersion, SaveOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local/m@1.0.0")
        .hasMessageContaining("nothing was saved");
    assertThatThrownBy(() -> store.saveAll(unversioned, SaveOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flat/x@1.0.0");
    assertThat(store.names()).isEmpty();
  }

  @Test
  void batch_mapView_listing() {
    Map<String, Object> items = new LinkedHashMap<>();
    items.put("a", 1);
    items.put("s3/b", 2);
    items.put("nope/c", 3);

    BatchResult<Manifest> saved = store.saveAll(items, SaveOptions.defaults());
    BatchResult<Integer> loaded = store.loadAll(List.of("a", "s3/b", "zz"), Integer.class);

    assertThat(saved.items()).extracting(BatchResult.Item::status).containsExactly(BatchResult.Status.OK,
        BatchResult.Status.OK, BatchResult.Status.FAILED);
    assertThat(saved.errors().get("nope/c")).isInstanceOf(StoreLocationNotFound.class);
    assertThat(loaded.values()).containsExactly(Map.entry("a", 1), Map.entry("s3/b", 2));
    Map<String, Object> map = store.asMap();
    assertThat(map).containsOnlyKeys("local/a", "s3/b").containsEntry("s3/b", 2);
    map.put("local/c", 3);
    assertThat(store.containsKey("local/c")).isTrue();
    assertThat(map.remove("s3/b")).isEqualTo(2);
    assertThat(store.deleteAll(List.of("a", "a")).items()).extracting(BatchResult.Item::value).containsExactly(true, false);
    assertThat(store.names()).containsExactly("local/c");
  }

  @Test
  void mapView_keysAreExactlyTheQualifiedNamesItIterates() {
    store.save("local/model", 1);
    store.registry("local").tag("model@1.0.0", "prod");
    Map<String, Object> map = store.asMap();

    assertThat(map.keySet()).containsExactly("local/model");
    for (String notAKey : List.of("model", "local/model@1.0.0", "local/model#prod", "zz/model", "model@latest")) {
      assertThat(map.containsKey(notAKey)).as(notAKey).isFalse();
      assertThat(map.get(notAKey)).as(notAKey).isNull();
      assertThat(map.remove(notAKey)).as(notAKey).isNull();
      assertThatThrownBy(() -> map.put(notAKey, 2)).as(notAKey).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(map.put("local/model", 2)).as("put returns the previous value").isEqualTo(1);
    assertThat(map.entrySet()).singleElement().hasToString("local/model=2");
    assertThat(store.names()).containsExactly("local/model");
  }

  @Test
  void copy_promote_sync_betweenLocalAndS3_keepEverything_andRerunsTransferNothing() {
    Manifest v1 = store.save("local/model@1.0.0", new byte[] {1, 2, 3},
        SaveOptions.defaults().withMetadata(Map.of("owner", "vision")));
    store.save("local/model@1.0.1", new byte[] {4, 5});
    store.save("local/config", Map.of("lr", 0.1));

    CopyResult promoted = store.promote("local/model@1.0.0", "s3");
    CopyResult again = store.promote("local/model@1.0.0", "s3");
    BatchResult<CopyResult> synced = store.sync("local", "s3");
    BatchResult<CopyResult> resynced = store.sync("local", "s3");
    CopyResult back = store.copy("s3/model@1.0.0", "local/model-copy");

    assertThat(promoted.copied()).isTrue();
    assertThat(again.copied()).isFalse();
    assertThat(synced.succeeded()).extracting(BatchResult.Item::key).containsExactly("config@1.0.0", "model@1.0.1");
    assertThat(synced.skipped()).extracting(BatchResult.Item::key).containsExactly("model@1.0.0");
    assertThat(resynced.skipped()).hasSize(3);
    Manifest remote = store.info("s3/model@1.0.0");
    assertThat(remote.digest()).isEqualTo(v1.digest());
    assertThat(remote.metadata()).containsEntry("owner", "vision");
    assertThat(remote.version()).isEqualTo(v1.version());
    assertThat(store.versions("s3/model")).isEqualTo(store.versions("local/model"));
    assertThat(store.get("s3/model@1.0.1", byte[].class)).containsExactly(4, 5);
    assertThat(back.manifest().name()).isEqualTo("model-copy");
    assertThat(store.get("local/model-copy@1.0.0", byte[].class)).containsExactly(1, 2, 3);
  }

  @Test
  void unmountedRegistry_isClosed_andItsLocationsForgotten() throws Exception {
    store.save("s3/x", 1);
    store.save("local/y", 2);
    assertThat(store.get("x")).isEqualTo(1);

    store.unmount("s3");

    assertThatThrownBy(() -> store.get("x")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(Files.exists(dir.resolve("local"))).isTrue();
    assertThat(store.get("y")).as("the other mount keeps its objects").isEqualTo(2);
  }
}
