package dev.arca.cli;

import dev.arca.registry.FileEntry;
import dev.arca.registry.Manifest;
import dev.arca.store.Store;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "info", description = "Show a version's manifest: class, size, digest, files, metadata.")
final class InfoCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", paramLabel = "KEY", description = "[mount/]name[@version|#tag]")
  String key;

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      Manifest m = store.info(key);
      if (arca.json) {
        arca.printJson(m);
        return Arca.OK;
      }
      PrintStream out = arca.out();
      out.println(m.name() + "@" + m.version());
      out.println("  class        " + m.objectClass());
      out.println("  materializer " + m.materializer() + " (format " + m.formatVersion() + ")");
      out.println("  size         " + Human.bytes(m.size()) + " in " + m.files().size() + " file(s)");
      out.println("  digest       " + m.digest());
      out.println("  created      " + m.createdAt() + " by " + m.createdBy());
      m.metadata().forEach((k, v) -> out.println("  meta         " + k + "=" + v));
      m.dependsOn().forEach(d -> out.println("  depends on   " + d));
      for (FileEntry f : m.files()) {
        out.println("  file         " + f.path() + "  " + Human.bytes(f.size()) + "  sha256:" + f.sha256());
      }
      return Arca.OK;
    }
  }
}
