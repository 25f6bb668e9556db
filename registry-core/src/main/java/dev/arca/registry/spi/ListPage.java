package dev.arca.registry.spi;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a {@link BlobStore#list} call.
 *
 * @param blobs the objects directly matched, sorted by key
 * @param prefixes with a delimited listing, the distinct "sub-folder" prefixes (each ending with {@code /}),
 *     sorted; empty otherwise
 * @param nextPageToken token for the next page, or null when this is the last
 */
public record ListPage(List<BlobInfo> blobs, List<String> prefixes, @Nullable String nextPageToken) {

  /**
   * Copies the lists.
   *
   * @param blobs see the class description
   * @param prefixes see the class description
   * @param nextPageToken see the class description
   */
  public ListPage {
    blobs = List.copyOf(blobs);
    prefixes = List.copyOf(prefixes);
  }
}
