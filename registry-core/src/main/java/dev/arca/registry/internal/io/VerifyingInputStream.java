package dev.arca.registry.internal.io;

import dev.arca.registry.IntegrityException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * Hashes bytes as they are read and, at the end of the stream, compares size and sha256 with what the manifest
 * recorded. A mismatch is thrown from the read that reaches the end, so a reader never sees a clean end of a
 * wrong file. Reading past the recorded size is a mismatch as soon as it happens. {@link #over} reuses a stream that
 * already checks the same file, so bytes are hashed once however many layers want them verified.
 */
public final class VerifyingInputStream extends FilterInputStream {

  private final MessageDigest sha = Sha256.newDigest();
  private final long expectedSize;
  private final String expectedSha256;
  private final String what;
  private final @Nullable Runnable onMatch;
  private long count;
  private boolean verified;

  /**
   * @param in the raw bytes
   * @param expectedSize the recorded size
   * @param expectedSha256 the recorded hex sha256
   * @param what names the file in the error, e.g. {@code model@1.0.0 file 'weights.bin'}
   */
  public VerifyingInputStream(InputStream in, long expectedSize, String expectedSha256, String what) {
    this(in, expectedSize, expectedSha256, what, null);
  }

  /**
   * A stream that also runs {@code onMatch} once, when the end is reached and the bytes matched (the cache
   * publishes a download then).
   */
  public VerifyingInputStream(InputStream in, long expectedSize, String expectedSha256, String what,
      @Nullable Runnable onMatch) {
    super(in);
    this.expectedSize = expectedSize;
    this.expectedSha256 = expectedSha256;
    this.what = what;
    this.onMatch = onMatch;
  }

  /** {@code in} itself when it already verifies this size and sha256, else a verifying stream over it. */
  public static VerifyingInputStream over(InputStream in, long expectedSize, String expectedSha256, String what) {
    if (in instanceof VerifyingInputStream v && v.expectedSize == expectedSize
        && v.expectedSha256.equals(expectedSha256)) {
      return v;
    }
    return new VerifyingInputStream(in, expectedSize, expectedSha256, what);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b < 0) {
      verify();
    } else {
      sha.update((byte) b);
      advance(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n < 0) {
      verify();
    } else {
      sha.update(b, off, n);
      advance(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipping would leave bytes unhashed: read them instead.
    byte[] buffer = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void advance(int n) {
    count += n;
    if (count > expectedSize) {
      throw new IntegrityException(what + " is longer than its recorded " + expectedSize + " bytes");
    }
  }

  private void verify() {
    if (verified) {
      return;
    }
    verified = true;
    if (count != expectedSize) {
      throw new IntegrityException(
          what + " has " + count + " bytes, its manifest records " + expectedSize + ": truncated or replaced");
    }
    String actual = Sha256.hex(sha.digest());
    if (!actual.equals(expectedSha256)) {
      throw new IntegrityException(
          what + " has sha256 " + actual + ", its manifest records " + expectedSha256 + ": the stored bytes are corrupt");
    }
    if (onMatch != null) {
      onMatch.run();
    }
  }
}
