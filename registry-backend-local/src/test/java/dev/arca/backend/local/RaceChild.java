package dev.arca.backend.local;

import dev.arca.registry.Registry;
import dev.arca.registry.VersionConflictException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One racing process for {@link LocalProcessRaceTest}: opens the registry, says READY, waits for GO on stdin,
 * then races for one explicit version and auto-increments a counter, printing each outcome.
 */
public final class RaceChild {

  public static void main(String[] args) throws Exception {
    URI location = URI.create(args[0]);
    int id = Integer.parseInt(args[1]);
    int saves = Integer.parseInt(args[2]);
    try (Registry registry = Registry.open(location)) {
      System.out.println("READY");
      System.out.flush();
      BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      if (!"GO".equals(stdin.readLine())) {
        throw new IllegalStateException("expected GO");
      }
      try {
        registry.save("contested@1.0.0", payload(id, 0));
        System.out.println("WIN");
      } catch (VersionConflictException e) {
        System.out.println("CONFLICT");
      }
      for (int n = 0; n < saves; n++) {
        System.out.println("VERSION " + registry.save("counter", payload(id, n)).version() + " " + id + " " + n);
      }
      System.out.flush();
    }
  }

  static byte[] payload(int id, int n) {
    byte[] bytes = new byte[4096 + id * 100 + n];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (id * 31 + n + i);
    }
    return bytes;
  }
}
