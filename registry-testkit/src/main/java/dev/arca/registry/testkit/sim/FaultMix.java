package dev.arca.registry.testkit.sim;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * The probability of each {@link Fault} per store call. Immutable; build with {@link #none()} and
 * {@link #with(Fault, double)}. Faults that only make sense for writes are never drawn for reads.
 *
 * @param odds fault to probability per call (their sum at most 1)
 */
public record FaultMix(Map<Fault, Double> odds) {

  /**
   * Copies the map and checks the sum.
   *
   * @param odds see the class description
   */
  public FaultMix {
    odds = Map.copyOf(odds);
    double sum = odds.values().stream().mapToDouble(Double::doubleValue).sum();
    if (sum > 1 || odds.values().stream().anyMatch(p -> p < 0)) {
      throw new IllegalArgumentException("fault odds must be non-negative and sum to at most 1: " + odds);
    }
  }

  /**
   * No faults.
   *
   * @return the mix
   */
  public static FaultMix none() {
    return new FaultMix(Map.of());
  }

  /**
   * This mix with one more kind.
   *
   * @param fault the kind
   * @param probability per call
   * @return a new mix
   */
  public FaultMix with(Fault fault, double probability) {
    Map<Fault, Double> copy = new EnumMap<>(Fault.class);
    copy.putAll(odds);
    copy.put(fault, probability);
    return new FaultMix(copy);
  }

  /** Draws the fault for one call. */
  Fault draw(Random random, boolean mutation) {
    double roll = random.nextDouble();
    for (Fault f : Fault.values()) {
      double p = odds.getOrDefault(f, 0.0);
      if (roll < p) {
        return !mutation && f.mutationOnly() ? Fault.NONE : f;
      }
      roll -= p;
    }
    return Fault.NONE;
  }
}
