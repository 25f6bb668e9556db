package dev.arca.cli;

import dev.arca.registry.Version;
import dev.arca.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "ls", description = "List names (as mount/name) with their latest version.")
final class ListCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX",
      description = "only names starting with it (mount/name or name)")
  String prefix = "";

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (String key : store.names()) {
        String name = key.substring(key.indexOf('/') + 1);
        if (!key.startsWith(prefix) && !name.startsWith(prefix)) {
          continue;
        }
        List<Version> versions = store.versions(key);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("key", key);
        row.put("versions", versions.size());
        row.put("latest", versions.isEmpty() ? null : versions.get(versions.size() - 1).toString());
        rows.add(row);
      }
      if (arca.json) {
        arca.printJson(rows);
      } else {
        rows.forEach(r -> arca.out().println(r.get("key") + "@" + r.get("latest") + "  (" + r.get("versions")
            + " version" + ((Integer) r.get("versions") == 1 ? "" : "s") + ")"));
      }
      return Arca.OK;
    }
  }
}
