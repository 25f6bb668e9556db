package dev.arca.cli;

import dev.arca.registry.Manifest;
import dev.arca.registry.OnConflict;
import dev.arca.registry.SaveOptions;
import dev.arca.store.Store;
import dev.arca.store.StoreKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "put", description = "Save a file, a directory tree, or stdin (-) as a new version of KEY.")
final class PutCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", paramLabel = "KEY", description = "[mount/]name[@version]; without a version, the next")
  String key;

  @Parameters(index = "1", paramLabel = "PATH", description = "a file, a directory, or - to read stdin")
  String path;

  @Option(names = {"-m", "--meta"}, paramLabel = "KEY=VALUE", description = "metadata to record (repeatable)")
  Map<String, String> metadata = new LinkedHashMap<>();

  @Option(names = "--skip-existing", description = "keep an existing version instead of failing")
  boolean skipExisting;

  @Override
  public Integer call() throws IOException {
    Object value;
    long total;
    if (path.equals("-")) {
      value = System.in;
      total = -1;
    } else {
      Path source = Path.of(path);
      if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(path);
      }
      value = source;
      total = size(source);
    }
    SaveOptions options = SaveOptions.defaults().withMetadata(metadata)
        .withOnConflict(skipExisting ? OnConflict.SKIP : OnConflict.FAIL);
    long started = System.nanoTime();
    Manifest saved;
    try (Store store = arca.openStore(); Progress progress = arca.progress("put " + key, total)) {
      saved = store.save(key, value, options.withProgress(progress::update));
    }
    String mount = StoreKey.parse(key).mount();
    String stored = (mount != null ? mount + "/" : "") + saved.name() + "@" + saved.version();
    if (arca.json) {
      arca.printJson(saved);
    } else {
      arca.out().println("saved " + stored + " (" + Human.bytes(saved.size()) + ", " + saved.files().size()
          + " file" + (saved.files().size() == 1 ? "" : "s") + ", "
          + Human.seconds((System.nanoTime() - started) / 1e9) + ")");
    }
    return Arca.OK;
  }

  private static long size(Path source) throws IOException {
    if (!Files.isDirectory(source)) {
      return Files.size(source);
    }
    try (Stream<Path> files = Files.walk(source)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
