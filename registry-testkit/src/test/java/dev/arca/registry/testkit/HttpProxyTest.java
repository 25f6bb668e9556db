package dev.arca.registry.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpProxyTest {

  private HttpServer upstream;

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/", exchange -> {
      byte[] body = "ok".getBytes(US_ASCII);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    upstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop(0);
  }

  /**
   * Random faults are transient, as the fault suites assume: one request target meets at most two failing faults
   * within a minute, so a client that tries every call at least three times always gets through. Here every
   * exchange is drawn for a fault (rate 1), and each of two targets fails exactly twice.
   */
  @Test
  void randomFaults_failOneRequestTargetAtMostTwiceAMinute_soThreeAttemptsAlwaysGetThrough() throws IOException {
    URI server = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
    try (HttpProxy proxy = HttpProxy.withFaults(server, 1.0, 7)) {
      for (String target : new String[] {"/a", "/b"}) {
        int failed = 0;
        for (int i = 0; i < 12; i++) {
          failed += get(proxy.endpoint(), target) ? 0 : 1;
        }
        assertThat(failed).as(target).isEqualTo(2);
      }
      Map<HttpProxy.Fault, Long> injected = proxy.injected();
      assertThat(injected.values().stream().mapToLong(Long::longValue).sum() - injected.get(HttpProxy.Fault.SLOW))
          .as("failing faults injected").isEqualTo(4);
    }
  }

  /**
   * Where the client names its call (the AWS SDK's invocation id), the bound is per call: racing callers of one
   * URI each meet their own faults.
   */
  @Test
  void randomFaults_areBoundedPerCall_whereTheClientNamesIt() throws IOException {
    URI server = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
    try (HttpProxy proxy = HttpProxy.withFaults(server, 1.0, 7)) {
      for (String call : new String[] {"call-1", "call-2"}) {
        int failed = 0;
        for (int i = 0; i < 12; i++) {
          failed += get(proxy.endpoint(), "/same", "amz-sdk-invocation-id: " + call + "\r\n") ? 0 : 1;
        }
        assertThat(failed).as(call).isEqualTo(2);
      }
    }
  }

  /** One GET on its own connection, without any client library's own retries: true when a whole 200 came back. */
  private static boolean get(URI proxy, String target) {
    return get(proxy, target, "");
  }

  private static boolean get(URI proxy, String target, String headers) {
    try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: test\r\n" + headers + "Connection: close\r\n\r\n").getBytes(US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), US_ASCII);
      return response.startsWith("HTTP/1.1 200") && response.endsWith("\r\n\r\nok");
    } catch (IOException e) {
      return false;
    }
  }
}
