package dev.arca.registry.spi;

/**
 * What a backend can do. Operations that need a missing capability fail with
 * {@link dev.arca.registry.UnsupportedCapabilityException}, and the conformance suites skip their tests.
 *
 * @param conditionalCreate create-if-absent is atomic: of racing creators exactly one wins
 * @param conditionalReplace replace-if-match is atomic under racing writers (compare-and-swap)
 * @param conditionalDelete delete-if-match is supported
 * @param maxNameLength the longest object name the backend can hold, at most 200
 * @param remote data crosses a network, so reads go through the local cache
 */
public record Capabilities(
    boolean conditionalCreate,
    boolean conditionalReplace,
    boolean conditionalDelete,
    int maxNameLength,
    boolean remote) {

  /**
   * Every capability, local storage.
   *
   * @return full capabilities
   */
  public static Capabilities full() {
    return new Capabilities(true, true, true, dev.arca.registry.Names.MAX_NAME_LENGTH, false);
  }

  /**
   * These capabilities with {@code remote} set.
   *
   * @param isRemote whether data crosses a network
   * @return new capabilities
   */
  public Capabilities withRemote(boolean isRemote) {
    return new Capabilities(conditionalCreate, conditionalReplace, conditionalDelete, maxNameLength, isRemote);
  }

  /**
   * These capabilities with {@code conditionalReplace} set.
   *
   * @param atomic whether replace-if-match is atomic under racing writers
   * @return new capabilities
   */
  public Capabilities withConditionalReplace(boolean atomic) {
    return new Capabilities(conditionalCreate, atomic, conditionalDelete, maxNameLength, remote);
  }
}
