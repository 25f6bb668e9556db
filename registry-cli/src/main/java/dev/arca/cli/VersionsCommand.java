package dev.arca.cli;

import dev.arca.registry.Version;
import dev.arca.store.Store;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "versions", description = "List a name's versions, oldest first.")
final class VersionsCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", paramLabel = "NAME", description = "[mount/]name")
  String key;

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      List<Version> versions = store.versions(key);
      if (versions.isEmpty()) {
        throw new dev.arca.registry.ObjectNotFoundException(key + " has no versions");
      }
      if (arca.json) {
        arca.printJson(versions.stream().map(Version::toString).toList());
      } else {
        versions.forEach(v -> arca.out().println(v));
      }
      return Arca.OK;
    }
  }
}
