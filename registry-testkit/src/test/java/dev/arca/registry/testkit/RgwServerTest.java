package dev.arca.registry.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Ceph RADOS Gateway launcher: every process it starts listens on 127.0.0.1 only, and every one of them is
 * stopped by close, by the shutdown hook of a JVM that exits without closing, and, for a JVM killed outright, by
 * the next start's sweep.
 */
class RgwServerTest {

  @BeforeAll
  static void ceph() {
    RgwServer.requireInstalled(); // the child JVMs below would start a gateway whatever this JVM's settings
  }

  @Test
  void everyDaemon_listensOnLoopbackOnly_andCloseStopsThemAll() throws Exception {
    List<ProcessHandle> daemons;
    try (RgwServer rgw = RgwServer.start()) {
      daemons = rgw.processes();
      assertThat(daemons).hasSize(3).allMatch(ProcessHandle::isAlive);
      rgw.createBucket();
      List<String> listening = new ArrayList<>();
      for (ProcessHandle p : daemons) {
        listening.addAll(listeningAddresses(p.pid()));
      }
      // the monitor, the gateway and the OSD's four messenger ports
      assertThat(listening).hasSizeGreaterThanOrEqualTo(6).allMatch(a -> a.startsWith("127.0.0.1:"), "on 127.0.0.1");
      assertThat(listening).contains("127.0.0.1:" + rgw.endpoint().getPort());
      System.out.println("rgw figures: started in " + rgw.startTime().toMillis() + " ms, resident "
          + (rgw.residentBytes() >> 20) + " MiB");
    }
    assertThat(daemons).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void aJvmExitingWithoutClose_stopsItsDaemons_byTheShutdownHook() throws Exception {
    Process child = ChildJvm.start(RgwChild.class, List.of("-Xmx64m"), "exit");
    List<ProcessHandle> daemons = daemonsOf(child);
    assertThat(daemons).hasSize(3).allMatch(ProcessHandle::isAlive);
    child.getOutputStream().write('\n');
    child.getOutputStream().close(); // the child returns from main without closing its gateway
    assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();

    assertThat(daemons).hasSize(3).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void aKilledJvmsDaemons_areStoppedByTheNextStart() throws Exception {
    Process child = ChildJvm.start(RgwChild.class, List.of("-Xmx64m"), "wait");
    List<ProcessHandle> daemons = daemonsOf(child);
    child.destroyForcibly(); // SIGKILL: no shutdown hook runs
    child.waitFor(1, TimeUnit.MINUTES);
    assertThat(daemons).hasSize(3).allMatch(ProcessHandle::isAlive);

    try (RgwServer next = RgwServer.start()) {
      assertThat(daemons).noneMatch(ProcessHandle::isAlive);
      assertThat(next.processes()).allMatch(ProcessHandle::isAlive);
    }
  }

  /** The daemons a child reports once its cluster answers. */
  private static List<ProcessHandle> daemonsOf(Process child) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));
    String line = in.readLine();
    assertThat(line).as("the child's daemon pids").isNotNull().startsWith("PIDS ");
    List<ProcessHandle> daemons = new ArrayList<>();
    for (String pid : line.substring(5).split(" ")) {
      daemons.add(ProcessHandle.of(Long.parseLong(pid)).orElseThrow());
    }
    return daemons;
  }

  /** The addresses a process listens on (TCP, IPv4 and IPv6), from its socket inodes and /proc/net. */
  private static List<String> listeningAddresses(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // a descriptor closed while listed
        }
      }
    }
    Map<String, String> listening = new HashMap<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String row : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
        String[] f = row.trim().split("\\s+");
        if (f[3].equals("0A")) { // LISTEN
          listening.put(f[9], address(f[1]));
        }
      }
    }
    List<String> mine = new ArrayList<>();
    for (String inode : inodes) {
      if (listening.containsKey(inode)) {
        mine.add(listening.get(inode));
      }
    }
    return mine;
  }

  /** {@code 0100007F:1F90} (little-endian IPv4) or a 32-digit IPv6 address, as host:port. */
  private static String address(String hex) {
    String[] parts = hex.split(":");
    int port = Integer.parseInt(parts[1], 16);
    if (parts[0].length() == 8) {
      long a = Long.parseLong(parts[0], 16);
      return (a & 0xff) + "." + ((a >> 8) & 0xff) + "." + ((a >> 16) & 0xff) + "." + ((a >> 24) & 0xff) + ":" + port;
    }
    return "[" + parts[0] + "]:" + port;
  }
}
