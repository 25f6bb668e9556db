package dev.arca.backend.gcs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.arca.registry.BackendException;
import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.testkit.GcsServer;
import dev.arca.registry.testkit.HttpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads and deletes that meet a fault at one exact request, played by a proxy between the client and the
 * testkit's GCS server while a second store, straight on the server, replaces the object.
 */
class GcsRetriesTest {

  private static GcsServer server;

  private String bucket;
  private GcsBlobStore direct;

  @BeforeAll
  static void start() throws IOException {
    server = GcsServer.start();
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
  }

  @BeforeEach
  void createBucket() {
    bucket = server.createBucket();
    direct = GcsFixture.builder(server, bucket).build();
  }

  @AfterEach
  void closeDirect() throws IOException {
    direct.close();
  }

  private GcsBlobStore through(HttpProxy proxy) {
    return GcsFixture.builder(proxy.endpoint(), bucket).build();
  }

  private static boolean isDownload(HttpProxy.Request r, String key) {
    return r.method().equals("GET") && r.target().contains("/o/" + key) && (r.target().startsWith("/download/")
        || r.target().contains("alt=media"));
  }

  private void replace(String key, String body) {
    try {
      direct.put(key, body.getBytes(UTF_8), Condition.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void get_whoseBodyIsCutAndTheObjectReplacedBeforeTheReadGoesOn_returnsTheNewWriteWholeWithItsEtag()
      throws IOException {
    direct.put("doc", "first write ".repeat(100).getBytes(UTF_8), Condition.NONE);
    AtomicInteger step = new AtomicInteger();
    HttpProxy.FaultPlan plan = r -> {
      if (step.get() == 0 && isDownload(r, "doc")) {
        step.set(1);
        return HttpProxy.Fault.CUT_BODY;
      }
      if (step.get() == 1) { // the request after the cut: a writer got in between
        step.set(2);
        replace("doc", "second write ".repeat(100));
      }
      return null;
    };
    try (HttpProxy proxy = HttpProxy.withFaults(server.endpoint(), plan); GcsBlobStore store = through(proxy)) {
      try (BlobContent c = store.get("doc").orElseThrow()) {
        assertThat(new String(c.stream().readAllBytes(), UTF_8)).isEqualTo("second write ".repeat(100));
        assertThat(c.info().etag()).isEqualTo(direct.head("doc").orElseThrow().etag());
      }
      assertThat(proxy.injected().get(HttpProxy.Fault.CUT_BODY)).isEqualTo(1);
    }
  }

  @Test
  void get_ofAnObjectReplacedBeforeEveryRead_givesUpWithARetryableErrorNamingTheKey() throws IOException {
    direct.put("doc", "write 0".getBytes(UTF_8), Condition.NONE);
    AtomicInteger writes = new AtomicInteger();
    HttpProxy.FaultPlan plan = r -> {
      if (isDownload(r, "doc")) { // the generation the read pinned is gone by the time it arrives
        replace("doc", "write " + writes.incrementAndGet());
      }
      return null;
    };
    try (HttpProxy proxy = HttpProxy.withFaults(server.endpoint(), plan); GcsBlobStore store = through(proxy)) {
      BackendException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
          () -> catchThrowableOfType(BackendException.class, () -> store.get("doc")));

      assertThat(e).hasMessageContaining("doc").hasMessageContaining("replaced");
      assertThat(e.retryable()).isTrue();
    }
  }

  @Test
  void delete_whoseResponseWasLost_reportsTheDelete() throws IOException {
    String etag = direct.put("doc", "x".getBytes(UTF_8), Condition.NONE).orElseThrow();
    direct.put("plain", "x".getBytes(UTF_8), Condition.NONE);
    AtomicInteger deletes = new AtomicInteger();
    HttpProxy.FaultPlan plan = r -> { // the first attempt of each of the first two deletes lands, unanswered
      int n = r.method().equals("DELETE") ? deletes.getAndIncrement() : -1;
      return n == 0 || n == 2 ? HttpProxy.Fault.LOST_RESPONSE : null;
    };
    try (HttpProxy proxy = HttpProxy.withFaults(server.endpoint(), plan); GcsBlobStore store = through(proxy)) {
      assertThat(store.delete("doc", Condition.ifMatch(etag))).as("conditional delete").isTrue();
      assertThat(store.delete("plain", Condition.NONE)).as("unconditional delete").isTrue();

      assertThat(proxy.injected().get(HttpProxy.Fault.LOST_RESPONSE)).isEqualTo(2);
      assertThat(direct.head("doc")).isEmpty();
      assertThat(direct.head("plain")).isEmpty();
      assertThat(store.delete("doc", Condition.NONE)).as("a delete of what is not there").isFalse();
    }
  }

  private static final int CHUNK = 256 << 10;
  private static final HttpProxy.Fault[] RETRIED_FAULTS = {HttpProxy.Fault.RESET, HttpProxy.Fault.LOST_RESPONSE,
      HttpProxy.Fault.STATUS_500, HttpProxy.Fault.STATUS_503};

  /**
   * A resumable upload (an object larger than one chunk: the session's POST, then one PUT per chunk) that meets
   * one fault at any one of its requests still writes the whole object under its condition, and says so: every
   * fault here is one the client retries, including a lost response to the final chunk, which landed.
   */
  @Test
  void resumableUpload_meetingOneFaultAtAnyOfItsRequests_writesTheWholeObjectAndReportsIt() throws IOException {
    byte[] large = new byte[3 * CHUNK + 1000]; // the session's POST and four PUTs
    new java.util.Random(5).nextBytes(large);
    for (HttpProxy.Fault fault : RETRIED_FAULTS) {
      for (int at = 0; at < 5; at++) {
        String key = "big-" + fault + "-" + at;
        try (HttpProxy proxy = HttpProxy.withFaults(server.endpoint(), atUploadRequest(at, fault));
            GcsBlobStore store = GcsFixture.builder(proxy.endpoint(), bucket).chunkSize(CHUNK).build()) {
          Optional<String> etag = upload(store, key, large, fault + " at upload request " + at);

          assertThat(proxy.injected().get(fault)).as("%s at upload request %d", fault, at).isEqualTo(1L);
          assertThat(etag).as("%s at upload request %d", fault, at).isPresent();
          assertThat(direct.head(key).orElseThrow().etag()).isEqualTo(etag.get());
          try (BlobContent c = direct.get(key).orElseThrow()) {
            assertThat(c.stream().readAllBytes()).isEqualTo(large);
          }
        }
      }
    }
  }

  /**
   * The same faults, on an upload whose condition fails: it reports the failed condition, and writes nothing. GCS
   * checks a session's condition as its data arrives, so the upload ends at its first chunk: the faults go to the
   * session's POST and to that chunk.
   */
  @Test
  void resumableUpload_whoseConditionFails_meetingOneFaultAtAnyOfItsRequests_reportsTheFailedCondition()
      throws IOException {
    byte[] large = new byte[3 * CHUNK + 1000];
    direct.put("taken", "first".getBytes(UTF_8), Condition.NONE);
    for (HttpProxy.Fault fault : RETRIED_FAULTS) {
      for (int at = 0; at < 2; at++) {
        try (HttpProxy proxy = HttpProxy.withFaults(server.endpoint(), atUploadRequest(at, fault));
            GcsBlobStore store = GcsFixture.builder(proxy.endpoint(), bucket).chunkSize(CHUNK).build()) {
          Optional<String> etag = upload(store, "taken", large, fault + " at upload request " + at);

          assertThat(proxy.injected().get(fault)).as("%s at upload request %d", fault, at).isEqualTo(1L);
          assertThat(etag).as("%s at upload request %d", fault, at).isEmpty();
          try (BlobContent c = direct.get("taken").orElseThrow()) {
            assertThat(new String(c.stream().readAllBytes(), UTF_8)).isEqualTo("first");
          }
        }
      }
    }
  }

  /** {@code fault} at the resumable upload's request number {@code at} (0 is the session's POST), none elsewhere. */
  private static HttpProxy.FaultPlan atUploadRequest(int at, HttpProxy.Fault fault) {
    AtomicInteger uploads = new AtomicInteger();
    return r -> r.target().contains("uploadType=resumable") || r.target().contains("upload_id=")
        ? (uploads.getAndIncrement() == at ? fault : null) : null;
  }

  /** Writes {@code bytes} if absent, 64 KiB at a time; any exception fails the test, naming {@code what}. */
  private static Optional<String> upload(GcsBlobStore store, String key, byte[] bytes, String what) {
    try (BlobOutput out = store.create(key, Condition.IF_ABSENT)) {
      for (int off = 0; off < bytes.length; off += 1 << 16) {
        out.write(bytes, off, Math.min(1 << 16, bytes.length - off));
      }
      return out.commit();
    } catch (IOException | RuntimeException e) {
      throw new AssertionError(what, e);
    }
  }
}
