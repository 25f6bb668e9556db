package dev.arca.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.Registry;
import dev.arca.registry.Version;
import dev.arca.registry.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Separate JVM processes racing on one local registry. */
@Tag("race")
class LocalProcessRaceTest {

  private static final int PROCESSES = 4;
  private static final int SAVES = 25;

  @TempDir Path root;

  @Test
  void processesRacing_oneWinnerPerVersion_distinctDenseAutoIncrement_noTornReads() throws Exception {
    URI location = root.resolve("registry").toUri();
    Registry.open(location).close(); // settings exist before the race, as in a deployed registry
    List<Process> children = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    for (int id = 0; id < PROCESSES; id++) {
      Process child = ChildJvm.start(RaceChild.class, List.of("-Xmx128m"), location.toString(), "" + id, "" + SAVES);
      children.add(child);
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      outputs.add(out);
    }
    for (BufferedReader out : outputs) {
      assertThat(out.readLine()).isEqualTo("READY");
    }
    for (Process child : children) {
      Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
      in.write("GO\n");
      in.flush();
    }

    List<String> lines = new ArrayList<>();
    for (int i = 0; i < PROCESSES; i++) {
      String line;
      while ((line = outputs.get(i).readLine()) != null) {
        lines.add(i + " " + line);
      }
      assertThat(children.get(i).waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(children.get(i).exitValue()).as("child " + i + " exit code").isZero();
    }

    List<String> winners = lines.stream().filter(l -> l.endsWith(" WIN")).toList();
    assertThat(winners).as("winners of contested@1.0.0").hasSize(1);
    assertThat(lines.stream().filter(l -> l.endsWith(" CONFLICT"))).hasSize(PROCESSES - 1);
    int winner = Integer.parseInt(winners.get(0).split(" ")[0]);

    Map<Version, int[]> writers = new HashMap<>();
    for (String line : lines) {
      String[] parts = line.split(" ");
      if (parts[1].equals("VERSION")) {
        int[] previous = writers.put(Version.parseCanonical(parts[2]),
            new int[] {Integer.parseInt(parts[3]), Integer.parseInt(parts[4])});
        assertThat(previous).as("version " + parts[2] + " handed out twice").isNull();
      }
    }
    assertThat(writers).hasSize(PROCESSES * SAVES);
    try (Registry registry = Registry.open(location)) {
      assertThat(registry.get("contested@1.0.0", byte[].class)).isEqualTo(RaceChild.payload(winner, 0));
      List<Version> versions = registry.versions("counter");
      assertThat(versions).hasSize(PROCESSES * SAVES);
      assertThat(versions.get(versions.size() - 1)).hasToString("1.0." + (PROCESSES * SAVES - 1));
      for (Version v : versions) {
        int[] who = writers.get(v);
        assertThat(registry.get("counter@" + v, byte[].class)).as("counter@" + v)
            .isEqualTo(RaceChild.payload(who[0], who[1]));
      }
    }
  }
}
