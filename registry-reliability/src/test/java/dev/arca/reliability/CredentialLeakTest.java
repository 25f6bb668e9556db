package dev.arca.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.S3ProxyServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * A failing authenticated operation, with every logger at its most verbose (SLF4J and java.util.logging): the
 * secret appears in no log line and nowhere in the exception chain (messages and stack trace).
 */
class CredentialLeakTest {

  private static final String SECRET = "Sup3r-Secret-Never-Logged-7f1c";
  private static S3ProxyServer server;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.inMemory();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void aRefusedSecret_isInNoLogAndNoError(S3BlobStore.Transport transport) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    ListAppender<ILoggingEvent> slf4j = new ListAppender<>();
    slf4j.start();
    List<ch.qos.logback.core.Appender<ILoggingEvent>> console = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(console::add);
    console.forEach(root::detachAppender); // captured, not printed: TRACE from every library would flood the build log
    root.addAppender(slf4j);
    root.setLevel(Level.TRACE);
    List<String> jul = new ArrayList<>();
    java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
    java.util.logging.Level julBefore = julRoot.getLevel();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        jul.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters())
            + " " + (record.getThrown() != null ? stackTrace(record.getThrown()) : ""));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    julRoot.addHandler(capture);
    julRoot.setLevel(java.util.logging.Level.ALL);
    Throwable failure;
    try {
      failure = org.assertj.core.api.Assertions.catchThrowable(() -> {
        S3BlobStore store = S3BlobStore.builder().endpoint(server.endpoint()).bucket(server.createBucket())
            .pathStyle(true).transport(transport).credentials(S3ProxyServer.ACCESS_KEY, SECRET).build();
        try (Registry registry = Registry.builder().blobStore(store).noCache().build()) {
          registry.put("x", "y");
        }
      });
    } finally {
      root.detachAppender(slf4j);
      console.forEach(root::addAppender);
      root.setLevel(before);
      julRoot.removeHandler(capture);
      julRoot.setLevel(julBefore);
    }

    assertThat(failure).as("the refused secret fails the operation").isNotNull();
    assertThat(stackTrace(failure)).doesNotContain(SECRET).contains("access denied");
    assertThat(slf4j.list).as("SLF4J events captured at TRACE").isNotEmpty();
    for (ILoggingEvent e : slf4j.list) {
      assertThat(e.getFormattedMessage()).doesNotContain(SECRET);
      if (e.getThrowableProxy() != null) { // the whole chain as logged: causes, suppressed; a message may be null
        assertThat(ThrowableProxyUtil.asString(e.getThrowableProxy())).doesNotContain(SECRET);
      }
    }
    assertThat(String.join("\n", jul)).doesNotContain(SECRET);
  }

  /** Messages, causes and suppressed exceptions, as printed. */
  private static String stackTrace(Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }
}
