package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.BackendException;
import dev.arca.registry.Manifest;
import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.OnConflict;
import dev.arca.registry.Registry;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.TagEvent;
import dev.arca.registry.UnsupportedCapabilityException;
import dev.arca.registry.Version;
import dev.arca.registry.VersionConflictException;
import dev.arca.registry.internal.backend.CoreBackendContext;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.Stamped;
import java.time.Clock;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The commit protocol under the faults and interleavings it must survive (issue 13, defects 1, 2, 4 and 8; issue
 * 16, opening writes nothing). Each test scripts one fault or one interleaving with {@link ScriptedBlobStore}.
 */
class CommitProtocolTest {

  private final InMemoryBlobStore data = InMemoryBlobStore.create();

  private static boolean manifestKey(String key) {
    return key.startsWith("meta/");
  }

  private static SaveOptions overwrite() {
    return SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE);
  }

  // ---------------------------------------------------------------- defect 1: landed, then threw

  @Test
  void commitThatLandsThenThrows_isRecognizedAsCommitted_andTheVersionLoads() {
    ScriptedBlobStore store = ScriptedBlobStore.withoutConditionalDelete(data).throwAfterNextPut(k -> manifestKey(k));
    try (Registry registry = Registry.builder().blobStore(store).build()) {
      Manifest saved = registry.save("m@1.0.0", "value");

      assertThat(registry.info("m@1.0.0").uuid()).isEqualTo(saved.uuid());
      assertThat(registry.get("m@1.0.0")).isEqualTo("value");
    }
  }

  @Test
  void commitThatLandsThenThrows_andCannotBeToldApart_throws_butKeepsTheFilesItsManifestNames() {
    ScriptedBlobStore store = ScriptedBlobStore.withoutConditionalDelete(data)
        .throwAfterNextPut(k -> manifestKey(k)).andTheReadAfterIt();
    try (Registry registry = Registry.builder().blobStore(store).build()) {
      assertThatThrownBy(() -> registry.save("m", "value")).isInstanceOf(BackendException.class);

      assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.0.0");
      assertThat(registry.get("m@1.0.0")).as("the landed version loads whole").isEqualTo("value");
    }
  }

  @Test
  void commitWhoseResponseWasLost_thenWhoseReadBackFails_throws_butKeepsTheFilesItsManifestNames() {
    ScriptedBlobStore store = ScriptedBlobStore.withoutConditionalDelete(data);
    try (Registry registry = Registry.builder().blobStore(store).build()) {
      registry.save("created", "registry");
      data.loseConditionalResponses(1); // the create lands; the client's retry sees it as a failed condition
      store.failNextRead(k -> k.equals("meta/m/1.0.0.json"));

      assertThatThrownBy(() -> registry.save("m", "value")).isInstanceOf(BackendException.class);

      assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.0.0");
      assertThat(registry.get("m@1.0.0")).as("the landed version loads whole").isEqualTo("value");
    }
  }

  @Test
  void copyWhoseCommitLandsThenThrows_keepsTheCopiedFiles() {
    InMemoryBlobStore targetData = InMemoryBlobStore.create();
    ScriptedBlobStore target = ScriptedBlobStore.withoutConditionalDelete(targetData)
        .throwAfterNextPut(k -> manifestKey(k)).andTheReadAfterIt();
    try (Registry source = Registry.builder().blobStore(data).build();
        Registry into = Registry.builder().blobStore(target).build()) {
      source.save("m@1.0.0", "copied");

      assertThatThrownBy(() -> source.copyTo("m@1.0.0", into)).isInstanceOf(BackendException.class);

      assertThat(into.get("m@1.0.0")).isEqualTo("copied");
    }
  }

  // ---------------------------------------------------------------- defect 2: deletes are compare-and-swaps

  @Test
  void deleteWithAStaleEtag_onAStoreWithoutConditionalDelete_neverErasesAnOverwriteAcknowledgedMeanwhile()
      throws Exception {
    ScriptedBlobStore store = ScriptedBlobStore.withoutConditionalDelete(data);
    try (Registry registry = Registry.builder().blobStore(store).mutable(true).build();
        Registry other = Registry.builder().blobStore(data).build();
        Backend backend = new CoreBackendContext(Clock.systemUTC(), System::nanoTime, false).objectStore(store)) {
      registry.save("m@1.0.0", "first");
      Stamped<Manifest> read = backend.readManifest("m", Version.parse("1.0.0", 3)).orElseThrow();
      store.afterNextRead(CommitProtocolTest::manifestKey, () -> other.save("m@1.0.0", "acknowledged", overwrite()));

      boolean deleted = backend.deleteVersion(read.value(), read.etag());

      assertThat(deleted).as("the manifest changed after it was read").isFalse();
      assertThat(registry.get("m@1.0.0")).isEqualTo("acknowledged");
    }
  }

  @Test
  void untag_racingAMove_neverErasesTheAcknowledgedMoveFromTheHistory() {
    ScriptedBlobStore store = ScriptedBlobStore.withoutConditionalDelete(data);
    try (Registry registry = Registry.builder().blobStore(store).build();
        Registry other = Registry.builder().blobStore(data).build()) {
      registry.save("m@1.0.0", "one");
      registry.save("m@1.0.1", "two");
      registry.tag("m@1.0.0", "prod");
      Version one = Version.parse("1.0.0", 3);
      Version two = Version.parse("1.0.1", 3);
      store.afterNextRead(k -> k.startsWith("tags/"), () -> other.moveTag("m", "prod", one, two));

      assertThat(registry.untag("m", "prod")).isTrue();

      assertThat(registry.tags("m")).isEmpty();
      assertThat(registry.tagHistory("m", "prod")).extracting(TagEvent::version).containsExactly(one, two, null);
    }
  }

  // ---------------------------------------------------------------- defect 4: tombstones and tags

  @Test
  void deletingATaggedVersion_removesTheTag_andItsNumberIsNeverReused() {
    try (Registry registry = Registry.builder().blobStore(data).build()) {
      registry.save("m", "tested");
      registry.tag("m@1.0.0", "prod");

      registry.delete("m@1.0.0");

      assertThat(registry.tags("m")).isEmpty();
      assertThatThrownBy(() -> registry.get("m#prod")).isInstanceOf(ObjectNotFoundException.class);
      assertThat(registry.versions("m")).isEmpty();
      assertThat(registry.names()).isEmpty();
      assertThat(registry.save("m", "untested").version()).hasToString("1.0.1");
      assertThatThrownBy(() -> registry.save("m@1.0.0", "untested")).isInstanceOf(VersionConflictException.class)
          .hasMessageContaining("was deleted");
      assertThat(registry.tagHistory("m", "prod").get(1).version()).as("the removal is in the history").isNull();
    }
  }

  @Test
  void deletingTheLatest_thenAutoIncrementing_skipsTheDeletedNumber_inAMutableRegistryToo() {
    try (Registry registry = Registry.builder().blobStore(data).mutable(true).build()) {
      registry.save("m", "a");
      registry.save("m", "b");
      registry.delete("m@latest");

      assertThat(registry.info("m@latest").version()).hasToString("1.0.0");
      assertThatThrownBy(() -> registry.save("m@1.0.1", "c", overwrite())).isInstanceOf(
          VersionConflictException.class);
      assertThat(registry.save("m", "c").version()).hasToString("1.0.2");
    }
  }

  @Test
  void anUnversionedRegistry_savesANameAgainAfterItWasDeleted() {
    try (Registry registry = Registry.builder().blobStore(data).versioned(false).build()) {
      registry.save("m", "first");
      registry.delete("m");

      registry.save("m", "second");

      assertThat(registry.get("m")).isEqualTo("second");
      assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.0.0");
      assertThat(registry.names()).containsExactly("m");
    }
  }

  @Test
  void aTagMoveLandingAfterADeleteLookedAtTheTags_undoesItself() {
    ScriptedBlobStore store = ScriptedBlobStore.withoutConditionalDelete(data);
    try (Registry registry = Registry.builder().blobStore(store).build();
        Registry other = Registry.builder().blobStore(data).build()) {
      registry.save("m@1.0.0", "doomed");
      // the tagger reads the manifest; the whole delete runs before the tagger writes the tag
      AtomicReference<Boolean> deleted = new AtomicReference<>();
      store.afterNextRead(CommitProtocolTest::manifestKey, () -> deleted.set(other.remove("m@1.0.0")));

      assertThatThrownBy(() -> registry.tag("m@1.0.0", "prod")).isInstanceOf(ObjectNotFoundException.class)
          .hasMessageContaining("was deleted");

      assertThat(deleted.get()).isTrue();
      assertThat(registry.tags("m")).isEmpty();
      assertThat(other.tags("m")).isEmpty();
    }
  }

  // ---------------------------------------------------------------- defect 8 and opening: the probe

  @Test
  void aStoreIgnoringIfMatch_isRefusedAtTheFirstWrite_namingIfMatch() {
    ScriptedBlobStore store = ScriptedBlobStore.ignoringIfMatch(data);
    try (Registry registry = Registry.builder().blobStore(store).build()) {
      assertThatThrownBy(() -> registry.save("m", "v")).isInstanceOf(UnsupportedCapabilityException.class)
          .hasMessageContaining("If-Match").hasMessageContaining("skipConditionalWriteProbe()");
    }
    assertThat(data.keys()).as("nothing left behind").isEmpty();
  }

  @Test
  void openingAndReadingARemoteRegistry_writesNothing_andTheFirstWriteCreatesIt() {
    InMemoryBlobStore remote = InMemoryBlobStore.builder().remote().build();
    try (Registry registry = Registry.builder().blobStore(remote).noCache().build()) {
      assertThat(registry.names()).isEmpty();
      assertThat(registry.exists("m")).isFalse();
      assertThat(registry.tags("m")).isEmpty();
      assertThat(remote.requests("put") + remote.requests("delete")).as("writes by open and reads").isZero();

      registry.save("m", "v");
    }
    assertThat(remote.keys()).contains("arca.json").noneMatch(k -> k.startsWith("probe/"));
    try (Registry again = Registry.builder().blobStore(remote).noCache().build()) {
      assertThat(again.get("m")).isEqualTo("v");
    }
  }

  @Test
  void settingsOfANewRegistry_areChecked_whenAnotherProcessCreatedItFirst() {
    try (Registry first = Registry.builder().blobStore(data).versionDigits(2).build();
        Registry second = Registry.builder().blobStore(data).versionDigits(3).build()) {
      first.save("m", "v");

      assertThatThrownBy(() -> second.save("m", "w")).hasMessageContaining("versionDigits");
      assertThat(first.versions("m")).extracting(Version::toString).isEqualTo(List.of("1.0"));
    }
  }

  /**
   * Two processes create a registry at once. This one's settings write fails (an OCI registry answers one of two
   * racing pushes 400), and when it reads back, the other's write has not landed yet: it tries again rather than
   * fail the save (found by OciSuitesTest's parallel first saves in a CI rehearsal).
   */
  @Test
  void aFirstWriteWhoseSettingsCreateFailed_whileAnotherProcessIsCreatingThem_triesAgain() {
    ScriptedBlobStore remote = ScriptedBlobStore.withoutConditionalDelete(data);
    try (Registry registry = Registry.builder().blobStore(remote).noCache().build()) {
      remote.failNextPut("arca.json"::equals).andAfterTheReadThatFollows(() -> {
        try (Registry other = Registry.builder().blobStore(data).build()) {
          other.save("n", "w");
        }
      });
      registry.save("m", "v");

      assertThat(registry.get("m")).isEqualTo("v");
      assertThat(registry.names()).containsExactlyInAnyOrder("m", "n");
    }
  }
}
