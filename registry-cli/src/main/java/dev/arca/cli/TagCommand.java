package dev.arca.cli;

import dev.arca.registry.Version;
import dev.arca.store.Store;
import dev.arca.store.StoreKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "tag", description = "Point TAG at the version KEY resolves to (name#TAG then loads it).")
final class TagCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", paramLabel = "KEY", description = "[mount/]name[@version|#tag]")
  String key;

  @Parameters(index = "1", paramLabel = "TAG", description = "e.g. prod")
  String tag;

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      Version version = store.tag(key, tag);
      String name = StoreKey.parse(key).key().name();
      if (arca.json) {
        arca.printJson(java.util.Map.of("name", name, "tag", tag, "version", version.toString()));
      } else {
        arca.out().println(name + "#" + tag + " -> " + version);
      }
      return Arca.OK;
    }
  }
}
