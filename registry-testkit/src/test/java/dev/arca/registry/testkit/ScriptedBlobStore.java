package dev.arca.registry.testkit;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A store over {@link InMemoryBlobStore} that plays one scripted fault or interleaving per test: a write that
 * lands and then throws, a read that fails, another client's call run right after a read was answered (so it lands
 * between this client's read and its next call), or a server that ignores {@code If-Match}.
 */
final class ScriptedBlobStore implements BlobStore {

  private final InMemoryBlobStore data;
  private final Capabilities capabilities;
  private final boolean ignoreIfMatch;
  private @Nullable Predicate<String> throwAfterPut;
  private @Nullable Predicate<String> throwBeforePut;
  private @Nullable Runnable afterRefusedPut;
  private @Nullable Predicate<String> throwOnGet;
  private boolean failReadAfterPut;
  private @Nullable Predicate<String> afterReadOf;
  private @Nullable Runnable afterRead;

  private ScriptedBlobStore(InMemoryBlobStore data, Capabilities capabilities, boolean ignoreIfMatch) {
    this.data = data;
    this.capabilities = capabilities;
    this.ignoreIfMatch = ignoreIfMatch;
  }

  /** An honest store without conditional delete, like S3. */
  static ScriptedBlobStore withoutConditionalDelete(InMemoryBlobStore data) {
    Capabilities c = data.capabilities();
    return new ScriptedBlobStore(data, new Capabilities(c.conditionalCreate(), c.conditionalReplace(), false,
        c.maxNameLength(), c.remote()), false);
  }

  /** A remote store that honours If-None-Match but applies an If-Match write whatever the etag. */
  static ScriptedBlobStore ignoringIfMatch(InMemoryBlobStore data) {
    return new ScriptedBlobStore(data, data.capabilities().withRemote(true), true);
  }

  /** The next put of a matching key is applied, then throws, as a timeout after the server applied it does. */
  ScriptedBlobStore throwAfterNextPut(Predicate<String> key) {
    throwAfterPut = key;
    return this;
  }

  /** The next put of a matching key throws without being applied, as a refused or reset request does. */
  ScriptedBlobStore failNextPut(Predicate<String> key) {
    throwBeforePut = key;
    return this;
  }

  /**
   * With {@link #failNextPut}: runs {@code action} once, right after the first read of that key that follows
   * the refused put was answered.
   */
  ScriptedBlobStore andAfterTheReadThatFollows(Runnable action) {
    afterRefusedPut = action;
    return this;
  }

  /**
   * With {@link #throwAfterNextPut}: once that put has thrown, the next get of the same key throws too, so the
   * writer cannot tell whether its write landed.
   */
  ScriptedBlobStore andTheReadAfterIt() {
    failReadAfterPut = true;
    return this;
  }

  /** The next get of a matching key throws, as a read that times out does. */
  ScriptedBlobStore failNextRead(Predicate<String> key) {
    throwOnGet = key;
    return this;
  }

  /** Runs {@code action} once, right after the next get or head of a matching key was answered. */
  ScriptedBlobStore afterNextRead(Predicate<String> key, Runnable action) {
    afterReadOf = key;
    afterRead = action;
    return this;
  }

  @Override
  public String scheme() {
    return "scripted";
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public BlobOutput create(String key, Condition condition) throws IOException {
    Condition effective = ignoreIfMatch && condition instanceof Condition.IfMatch ? Condition.NONE : condition;
    BlobOutput out = data.create(key, effective);
    return new BlobOutput() {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public Optional<String> commit() throws IOException {
        if (fires(throwBeforePut, key)) {
          throwBeforePut = null;
          if (afterRefusedPut != null) {
            afterNextRead(key::equals, afterRefusedPut);
            afterRefusedPut = null;
          }
          throw new IOException("scripted: this write was refused before it was applied (" + key + ")");
        }
        Optional<String> etag = out.commit();
        if (fires(throwAfterPut, key)) {
          throwAfterPut = null;
          if (failReadAfterPut) {
            throwOnGet = key::equals;
          }
          throw new IOException("scripted: the response to this applied write was lost (" + key + ")");
        }
        return etag;
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  @Override
  public Optional<BlobContent> get(String key, long offset, long length) throws IOException {
    if (fires(throwOnGet, key)) {
      throwOnGet = null;
      throw new IOException("scripted: read of " + key + " failed");
    }
    Optional<BlobContent> content = data.get(key, offset, length);
    afterRead(key);
    return content;
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    Optional<BlobInfo> info = data.head(key);
    afterRead(key);
    return info;
  }

  private void afterRead(String key) {
    if (fires(afterReadOf, key)) {
      Runnable action = afterRead;
      afterReadOf = null;
      afterRead = null;
      action.run();
    }
  }

  private static boolean fires(@Nullable Predicate<String> trigger, String key) {
    return trigger != null && trigger.test(key);
  }

  @Override
  public ListPage list(String prefix, boolean delimited, @Nullable String pageToken) throws IOException {
    return data.list(prefix, delimited, pageToken);
  }

  @Override
  public boolean delete(String key, Condition condition) throws IOException {
    return data.delete(key, condition);
  }

  @Override
  public void close() {
    // the data outlives this client, like a server's
  }
}
