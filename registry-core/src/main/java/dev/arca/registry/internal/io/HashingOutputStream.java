package dev.arca.registry.internal.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Passes bytes through while hashing (sha256) and counting them: the one pass a save makes over its data. */
public final class HashingOutputStream extends FilterOutputStream {

  private final MessageDigest sha = Sha256.newDigest();
  private long count;

  public HashingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    sha.update((byte) b);
    count++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    sha.update(b, off, len);
    count += len;
  }

  /** Bytes written so far. */
  public long count() {
    return count;
  }

  /** The hex sha256 of everything written; call once, after the last write. */
  public String sha256() {
    return Sha256.hex(sha.digest());
  }
}
