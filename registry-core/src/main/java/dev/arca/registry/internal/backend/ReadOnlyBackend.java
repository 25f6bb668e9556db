package dev.arca.registry.internal.backend;

import dev.arca.registry.FileEntry;
import dev.arca.registry.JanitorReport;
import dev.arca.registry.Manifest;
import dev.arca.registry.ReadOnlyRegistryException;
import dev.arca.registry.Version;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.RegistrySettings;
import dev.arca.registry.spi.Stamped;
import dev.arca.registry.spi.StagedVersion;
import dev.arca.registry.spi.TagRecord;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A backend that passes reads through and refuses every call that could write, before it reaches the storage:
 * so a read-only registry never probes, creates or changes anything, whatever path a write takes. The janitor is
 * refused too, since even a dry run stamps a clock object on stores that cannot tell their time. The registry
 * checks writes first with its own message; this is the guarantee under it. Thread-safe as its delegate is.
 */
public final class ReadOnlyBackend implements Backend {

  private final Backend delegate;
  private final String location;

  /**
   * Wraps a backend.
   *
   * @param delegate the backend; closed with this one
   * @param location the registry's location, for messages
   */
  public ReadOnlyBackend(Backend delegate, String location) {
    this.delegate = delegate;
    this.location = location;
  }

  /**
   * The error for a write asked of the read-only registry at {@code location}.
   *
   * @param what the refused operation, e.g. {@code "cannot save model"}
   * @param location the registry's location
   * @return the error
   */
  public static ReadOnlyRegistryException refused(String what, String location) {
    return new ReadOnlyRegistryException(what + ": the registry at " + location + " was opened read-only, so"
        + " nothing is written to it; open it without readOnly to write");
  }

  private ReadOnlyRegistryException refused(String what) {
    return refused(what, location);
  }

  @Override
  public String scheme() {
    return delegate.scheme();
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Optional<Stamped<RegistrySettings>> readSettings() throws IOException {
    return delegate.readSettings();
  }

  @Override
  public boolean writeSettings(RegistrySettings settings, @Nullable String expectedEtag) {
    throw refused("cannot write the registry settings");
  }

  @Override
  public StagedVersion stage(String name, Duration gracePeriod) {
    throw refused("cannot save " + name);
  }

  @Override
  public Optional<Stamped<Manifest>> readManifest(String name, Version version) throws IOException {
    return delegate.readManifest(name, version);
  }

  @Override
  public InputStream openFile(Manifest manifest, FileEntry file) throws IOException {
    return delegate.openFile(manifest, file);
  }

  @Override
  public List<String> listNames() throws IOException {
    return delegate.listNames();
  }

  @Override
  public List<Version> listVersions(String name) throws IOException {
    return delegate.listVersions(name);
  }

  @Override
  public Optional<Version> lastVersion(String name) throws IOException {
    return delegate.lastVersion(name);
  }

  @Override
  public Optional<String> tombstone(String name, Version version) throws IOException {
    return delegate.tombstone(name, version);
  }

  @Override
  public boolean deleteVersion(Manifest manifest, String expectedEtag) {
    throw refused("cannot delete " + manifest.name() + "@" + manifest.version());
  }

  @Override
  public Optional<Stamped<TagRecord>> readTag(String name, String tag) throws IOException {
    return delegate.readTag(name, tag);
  }

  @Override
  public boolean writeTag(String name, String tag, TagRecord record, @Nullable String expectedEtag) {
    throw refused("cannot write tag " + name + "#" + tag);
  }

  @Override
  public List<String> listTags(String name) throws IOException {
    return delegate.listTags(name);
  }

  @Override
  public JanitorReport janitor(boolean apply, Duration gracePeriod) {
    throw refused("cannot run the janitor (even a dry run may stamp a clock object)");
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public String toString() {
    return "ReadOnly{" + delegate + "}";
  }
}
