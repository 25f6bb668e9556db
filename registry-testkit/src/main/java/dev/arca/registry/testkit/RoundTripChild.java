package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Saves a file through a registry URI and loads it back, in a child JVM with a heap of the test's choosing: the
 * large-file tests of every backend run it to show that files larger than the heap stream through.
 */
public final class RoundTripChild {

  /**
   * What the child reported.
   *
   * @param sha256 the file's sha256 as the saved manifest records it
   * @param loaded where the load put the file
   * @param maxHeap the child's maximum heap, in bytes
   */
  public record Result(String sha256, Path loaded, long maxHeap) {}

  private RoundTripChild() {}

  /**
   * Runs the round trip in a child JVM and checks it exited cleanly within ten minutes.
   *
   * @param uri the registry URI
   * @param file the file to save
   * @param into the directory to load into
   * @param heapMb the child's max heap
   * @param environment extra environment (credentials, {@code ARCA_CACHE})
   * @return what the child reported
   * @throws Exception when it cannot run
   */
  public static Result run(String uri, Path file, Path into, int heapMb, Map<String, String> environment)
      throws Exception {
    Process child = ChildJvm.start(RoundTripChild.class, List.of("-Xmx" + heapMb + "m"), environment, uri,
        file.toString(), into.toString());
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("child finished").isTrue();
    assertThat(child.exitValue()).as("child exit code; output: " + output).isZero();
    String[] parts = output.split(" ");
    return new Result(parts[0], Path.of(parts[1]), Long.parseLong(parts[2]));
  }

  /**
   * The child: saves {@code args[1]} as {@code big} in the registry at {@code args[0]}, loads it into
   * {@code args[2]}, and prints the sha256, the loaded path and its max heap.
   *
   * @param args URI, file, directory
   * @throws Exception on failure (a non-zero exit)
   */
  public static void main(String[] args) throws Exception {
    try (Registry registry = Registry.open(URI.create(args[0]))) {
      Manifest m = registry.save("big", Path.of(args[1]));
      Path loaded = registry.loadInto("big", Path.of(args[2]));
      System.out.println(m.files().get(0).sha256() + " " + loaded + " " + Runtime.getRuntime().maxMemory());
    }
  }
}
