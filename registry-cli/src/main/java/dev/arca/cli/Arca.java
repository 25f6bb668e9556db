package dev.arca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.Registry;
import dev.arca.registry.VersionConflictException;
import dev.arca.store.StoreKeyFormatException;
import dev.arca.store.StoreLocationNotFound;
import dev.arca.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code arca} command: drive any registry or Store from a shell or a script.
 *
 * <p>Results go to stdout (with {@code --json}, one JSON document); progress and errors go to stderr, progress only
 * when stderr is a terminal. Exit codes: 0 ok, 1 error, 2 usage or malformed input, 3 not found (object, mount or
 * file), 4 conflict.
 */
@Command(name = "arca", mixinStandardHelpOptions = true, versionProvider = Arca.VersionProvider.class,
    description = "Save and load named, versioned objects: files, directories, streams.",
    subcommands = {PutCommand.class, GetCommand.class, ListCommand.class, VersionsCommand.class, InfoCommand.class,
        RemoveCommand.class, TagCommand.class, CopyCommand.class, VerifyCommand.class, GcCommand.class,
        MountsCommand.class, CompletionCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:error (backend, credentials, corrupt data)", "2:usage or malformed input",
        "3:not found (object, version, tag, mount or local file)", "4:conflict (the version exists)"})
public final class Arca implements Runnable {

  static final int OK = 0;
  static final int ERROR = 1;
  static final int USAGE = 2;
  static final int NOT_FOUND = 3;
  static final int CONFLICT = 4;

  @Option(names = "--store", paramLabel = "URI", scope = ScopeType.INHERIT,
      description = "A registry URI (file:///path, s3://bucket/prefix?...). Default: the local registry "
          + "($ARCA_HOME, else ~/.arca/registry).")
  URI storeUri;

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "A store config file (YAML or JSON) naming mounts.")
  Path config;

  @Option(names = "--read-only", scope = ScopeType.INHERIT,
      description = "Open --store (or the local registry) read-only: nothing is ever written to it, every write"
          + " fails, and a location holding no registry fails instead of reading as empty. For --config, mark"
          + " mounts readOnly: true in the file.")
  boolean readOnly;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print results as JSON, for scripts.")
  boolean json;

  @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "No progress bars.")
  boolean quiet;

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces of errors.")
  boolean debug;

  private final PrintStream out;
  private final PrintStream err;

  Arca(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Runs the command line and exits with its code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.exit(run(System.out, System.err, args));
  }

  static int run(PrintStream out, PrintStream err, String... args) {
    Arca arca = new Arca(out, err);
    CommandLine cli = new CommandLine(arca)
        .setOut(new java.io.PrintWriter(out, true, StandardCharsets.UTF_8))
        .setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8))
        .setExitCodeExceptionMapper(Arca::exitCode)
        .setExecutionExceptionHandler((e, line, parsed) -> {
          err.println("arca: " + firstLine(e));
          if (arca.debug) {
            e.printStackTrace(err);
          }
          return exitCode(e);
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "name a command; see arca --help");
  }

  /** Opens the store the options name; the caller closes it. */
  Store openStore() {
    if (config != null && storeUri != null) {
      throw new IllegalArgumentException("give --store or --config, not both");
    }
    if (config != null) {
      if (readOnly) {
        throw new IllegalArgumentException("--read-only applies to --store and the local registry; for --config,"
            + " mark the mounts readOnly: true in " + config);
      }
      return Store.open(config);
    }
    URI location = storeUri != null ? storeUri : Registry.defaultLocation().toUri();
    Registry registry = Registry.builder().uri(location).readOnly(readOnly).build();
    String mount = storeUri != null ? "main" : "local";
    Store.Builder store = Store.builder().mount(mount, registry);
    return readOnly ? store.build() : store.defaultMount(mount).build(); // a read-only mount is nobody's default
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  /** A progress bar on stderr, drawn only for a person at a terminal. */
  Progress progress(String label, long total) {
    return new Progress(err, label, total, !quiet && !json && Progress.stderrIsTerminal());
  }

  /** Prints a value as one JSON document. */
  void printJson(Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT).build();

  static int exitCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof VersionConflictException) {
        return CONFLICT;
      }
      if (t instanceof ObjectNotFoundException || t instanceof StoreLocationNotFound
          || t instanceof NoSuchFileException) {
        return NOT_FOUND;
      }
      if (t instanceof StoreKeyFormatException || t instanceof IllegalArgumentException
          || t instanceof CommandLine.ParameterException) {
        return USAGE;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return ERROR;
  }

  private static String firstLine(Throwable e) {
    String message = e instanceof NoSuchFileException f ? "no such file: " + f.getFile()
        : e.getMessage() != null ? e.getMessage() : e.toString();
    int newline = message.indexOf('\n');
    return newline >= 0 ? message.substring(0, newline) : message;
  }

  /** The version from the build. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Arca.class.getResourceAsStream("/arca-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"arca " + p.getProperty("version", "unknown")};
    }
  }
}
