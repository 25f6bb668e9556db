package dev.arca.reliability;

import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Saves in a loop until killed: small and large byte arrays and directories of several files, a few names with
 * auto-incremented versions. Prints {@code READY} once open and {@code ACK name@version digest} after each save
 * returns, so the parent knows exactly which writes were acknowledged.
 */
public final class CrashChild {

  public static void main(String[] args) throws Exception {
    Random random = new Random(Long.parseLong(args[1]));
    Path scratch = Files.createTempDirectory("arca-crash-child-");
    try (Registry registry = Registry.open(URI.create(args[0]))) {
      System.out.println("READY");
      System.out.flush();
      for (int n = 0; ; n++) {
        String name = "item-" + random.nextInt(5);
        Object value;
        if (random.nextInt(3) == 0) {
          Path dir = Files.createDirectories(scratch.resolve("d" + n + "/sub"));
          int files = 1 + random.nextInt(4);
          for (int f = 0; f < files; f++) {
            Files.write((f % 2 == 0 ? dir : dir.getParent()).resolve("f" + f + ".bin"), bytes(random, 256 << 10));
          }
          value = dir.getParent();
        } else {
          value = bytes(random, random.nextInt(10) == 0 ? 6 << 20 : 64 << 10);
        }
        Manifest m = registry.save(name, value);
        System.out.println("ACK " + name + "@" + m.version() + " " + m.digest());
        System.out.flush();
      }
    }
  }

  private static byte[] bytes(Random random, int max) {
    byte[] b = new byte[random.nextInt(max + 1)];
    random.nextBytes(b);
    return b;
  }
}
