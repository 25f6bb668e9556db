package dev.arca.registry.testkit.sim;

/**
 * What the scheduler does to the one store call it lets proceed. Every kind is something a real network, cloud
 * or host does; none of them is a bug of the store itself.
 */
public enum Fault {
  /** The call is applied and answered normally. */
  NONE,
  /** The call fails with an {@link java.io.IOException} before reaching the store: nothing applied. */
  ERROR_BEFORE,
  /** The call is applied, then the caller gets an {@link java.io.IOException} (a timeout, a reset). */
  ERROR_AFTER,
  /**
   * The call is applied, its response lost, and the client's retry is applied too: the caller gets the retry's
   * outcome (a create-if-absent then fails its own condition, a delete finds nothing).
   */
  LOST_RESPONSE,
  /** The process dies at this call, before it is sent: nothing after it runs, no {@code finally} block. */
  CRASH,
  /** The call is applied, then the process dies before it sees the response. */
  CRASH_AFTER,
  /** The request is held back while other actors proceed for some steps, and virtual time jumps ahead. */
  SLOW_REQUEST,
  /** The call is applied at once, but its response is held back for some steps while time jumps ahead. */
  SLOW_RESPONSE,
  /** The calling process's clock jumps (seconds to hours, ahead or behind); the call then proceeds. */
  CLOCK_JUMP;

  /** Whether this fault can make the call's outcome an exception the caller sees. */
  boolean failsTheCall() {
    return this == ERROR_BEFORE || this == ERROR_AFTER || this == LOST_RESPONSE;
  }

  /** Whether this fault only makes sense for a call that changes the store. */
  boolean mutationOnly() {
    return this == ERROR_AFTER || this == LOST_RESPONSE || this == CRASH_AFTER;
  }
}
