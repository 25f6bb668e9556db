package dev.arca.registry.testkit.sim;

/**
 * A store call an actor is parked at, as shown in a schedule.
 *
 * @param op get, head, list, put or delete
 * @param key the key or list prefix
 * @param condition the write or delete condition, or empty
 * @param mutation whether the call changes the store
 */
record Call(String op, String key, String condition, boolean mutation) {

  @Override
  public String toString() {
    return op + " " + key + (condition.isEmpty() ? "" : " " + condition);
  }
}
