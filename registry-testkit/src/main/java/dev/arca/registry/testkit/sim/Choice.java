package dev.arca.registry.testkit.sim;

/**
 * One scheduling decision: which actor's pending store call proceeded, with which fault. A run's list of
 * choices replays it exactly.
 *
 * @param actor the actor's index
 * @param fault the fault injected
 * @param holdSteps for slow faults, how many steps the call or its response is held back
 * @param millis for slow faults, how far virtual time jumps; for a clock jump, the change of the process clock
 * @param call what the call was, for the printed schedule
 */
public record Choice(int actor, Fault fault, long holdSteps, long millis, String call) {

  Choice withoutFault() {
    return new Choice(actor, Fault.NONE, 0, 0, call);
  }

  @Override
  public String toString() {
    String extra = switch (fault) {
      case SLOW_REQUEST, SLOW_RESPONSE -> " (held " + holdSteps + " steps, +" + millis + " ms)";
      case CLOCK_JUMP -> " (process clock " + (millis >= 0 ? "+" : "") + millis + " ms)";
      default -> "";
    };
    return call + (fault == Fault.NONE ? "" : "  <- " + fault + extra);
  }
}
