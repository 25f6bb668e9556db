package dev.arca.registry.spi;

import dev.arca.registry.TagEvent;
import dev.arca.registry.Version;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A stored tag: the version it points to and every move it made, oldest first.
 *
 * <p>A removed tag keeps its record, with no version, so that removing it is a compare-and-swap like any move
 * (a delete that races a move can never erase the move) and its history survives.
 *
 * @param version the current target, or null when the tag was removed
 * @param history every move, oldest first, the last one setting {@code version}
 */
public record TagRecord(@Nullable Version version, List<TagEvent> history) {

  /**
   * Copies the history.
   *
   * @param version see the class description
   * @param history see the class description
   */
  public TagRecord {
    history = List.copyOf(history);
  }
}
