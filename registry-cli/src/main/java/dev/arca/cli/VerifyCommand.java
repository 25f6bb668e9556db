package dev.arca.cli;

import dev.arca.registry.VerifyResult;
import dev.arca.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "verify", description = "Re-read every file of a version (or of everything) from the storage,"
    + " bypassing the local cache, and check it against its manifest; report each version as ok, CORRUPT or"
    + " MISSING and exit 1 if any is not ok.")
final class VerifyCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", arity = "0..1", paramLabel = "KEY", description = "a version; default: every version")
  String key;

  @Option(names = "--cached", description = "Check the local cache's copies (what loads read) instead of the"
      + " remote.")
  boolean cached;

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      List<VerifyResult> results = key != null ? List.of(store.verify(key, cached)) : store.verifyAll(cached);
      if (arca.json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (VerifyResult r : results) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("key", r.key());
          row.put("status", r.status().name().toLowerCase(java.util.Locale.ROOT));
          row.put("files", r.files());
          row.put("bytes", r.bytes());
          if (r.problem() != null) {
            row.put("problem", r.problem());
          }
          rows.add(row);
        }
        arca.printJson(rows);
      } else {
        for (VerifyResult r : results) {
          arca.out().println(r.ok() ? "ok       " + r.key() + " (" + r.files() + " files)"
              : String.format("%-8s %s: %s", r.status(), r.key(), r.problem()));
        }
      }
      return results.stream().allMatch(VerifyResult::ok) ? Arca.OK : Arca.ERROR;
    }
  }
}
