package dev.arca.reliability;

import dev.arca.registry.Registry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The soak on the local filesystem backend; overwrites race (its compare-and-swap is atomic). */
class LocalSoakTest extends SoakSuite {

  @TempDir Path root;

  @Override
  Registry.Builder registry(Clock clock, Duration grace) {
    return Registry.builder().uri(root.toUri()).mutable(true).clock(clock).gracePeriod(grace);
  }

  @Override
  Path storageRoot() {
    return root;
  }

  @Override
  boolean racingOverwrites() {
    return true;
  }
}
