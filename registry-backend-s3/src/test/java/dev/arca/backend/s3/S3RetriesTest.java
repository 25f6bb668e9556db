package dev.arca.backend.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.arca.registry.BackendException;
import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.testkit.HttpProxy;
import dev.arca.registry.testkit.S3ProxyExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writes and reads that meet a fault at one exact request, played by a proxy between the client and S3Proxy
 * while a second store, straight on the server, replaces the object.
 */
class S3RetriesTest {

  @RegisterExtension
  static final S3ProxyExtension S3 = new S3ProxyExtension();

  private static boolean isConditionalPut(HttpProxy.Request r) {
    return r.method().equals("PUT") && (r.header("If-Match") != null || r.header("If-None-Match") != null);
  }

  /** Answers 409 ConditionalRequestConflict to the first {@code conflicts} conditional PUTs. */
  private static HttpProxy conflicting(int conflicts) throws IOException {
    AtomicInteger seen = new AtomicInteger();
    return HttpProxy.withFaults(S3.server().endpoint(),
        r -> isConditionalPut(r) && seen.getAndIncrement() < conflicts ? HttpProxy.Fault.STATUS_409 : null);
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void conditionalPut_answeredConditionalRequestConflict_isRetried_andLands(S3BlobStore.Transport transport)
      throws Exception {
    String bucket = S3.server().createBucket();
    try (S3BlobStore direct = S3Fixture.store(S3.server(), bucket, transport);
        HttpProxy proxy = conflicting(2);
        S3BlobStore store = S3Fixture.builder(proxy.endpoint(), bucket, transport).maxAttempts(4).build()) {
      String first = direct.put("k", "v1".getBytes(UTF_8), Condition.NONE).orElseThrow();

      assertThat(store.put("k", "v2".getBytes(UTF_8), Condition.ifMatch(first))).as("replace-if-match").isPresent();
      assertThat(store.put("new", "n".getBytes(UTF_8), Condition.IF_ABSENT)).as("create-if-absent").isPresent();

      assertThat(proxy.injected().get(HttpProxy.Fault.STATUS_409)).isEqualTo(2);
      assertThat(direct.get("k").orElseThrow().readAllAndClose()).isEqualTo("v2".getBytes(UTF_8));
      assertThat(direct.get("new").orElseThrow().readAllAndClose()).isEqualTo("n".getBytes(UTF_8));
    }
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void conditionalPut_answeredConditionalRequestConflictEveryTime_failsRetryable_neverAsAFailedCondition(
      S3BlobStore.Transport transport) throws Exception {
    String bucket = S3.server().createBucket();
    try (S3BlobStore direct = S3Fixture.store(S3.server(), bucket, transport);
        HttpProxy proxy = conflicting(Integer.MAX_VALUE);
        S3BlobStore store = S3Fixture.builder(proxy.endpoint(), bucket, transport).maxAttempts(3).build()) {
      String first = direct.put("k", "v1".getBytes(UTF_8), Condition.NONE).orElseThrow();

      BackendException e = catchThrowableOfType(BackendException.class,
          () -> store.put("k", "v2".getBytes(UTF_8), Condition.ifMatch(first)));

      assertThat(e).as("the outcome of the put").isNotNull().hasMessageContaining("ConditionalRequestConflict")
          .hasMessageContaining("k");
      assertThat(e.retryable()).isTrue();
      assertThat(proxy.injected().get(HttpProxy.Fault.STATUS_409)).as("attempts").isEqualTo(3);
      assertThat(direct.get("k").orElseThrow().readAllAndClose()).isEqualTo("v1".getBytes(UTF_8));
    }
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void get_whoseBodyIsCutAndTheObjectReplacedBeforeTheReadGoesOn_returnsTheNewWriteWholeWithItsEtag(
      S3BlobStore.Transport transport) throws Exception {
    String bucket = S3.server().createBucket();
    try (S3BlobStore direct = S3Fixture.store(S3.server(), bucket, transport)) {
      direct.put("doc", "first write ".repeat(100).getBytes(UTF_8), Condition.NONE);
      AtomicInteger step = new AtomicInteger();
      HttpProxy.FaultPlan plan = r -> {
        if (step.get() == 0 && r.method().equals("GET") && r.target().contains("/doc")) {
          step.set(1);
          return HttpProxy.Fault.CUT_BODY;
        }
        if (step.get() == 1) { // the request after the cut: a writer got in between
          step.set(2);
          try {
            direct.put("doc", "second write ".repeat(100).getBytes(UTF_8), Condition.NONE);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return null;
      };
      try (HttpProxy proxy = HttpProxy.withFaults(S3.server().endpoint(), plan);
          S3BlobStore store = S3Fixture.builder(proxy.endpoint(), bucket, transport).build();
          BlobContent c = store.get("doc").orElseThrow()) {
        assertThat(new String(c.stream().readAllBytes(), UTF_8)).isEqualTo("second write ".repeat(100));
        assertThat(c.info().etag()).isEqualTo(direct.head("doc").orElseThrow().etag());
        assertThat(proxy.injected().get(HttpProxy.Fault.CUT_BODY)).isEqualTo(1);
      }
    }
  }
}
