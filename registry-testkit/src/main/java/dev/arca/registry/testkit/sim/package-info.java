/**
 * A deterministic simulation of the real {@link dev.arca.registry.Registry} code over an in-memory store whose
 * every call is a scheduling point. Actors (writers, overwriters, readers, deleters, taggers, janitors) are real
 * threads, each in a simulated process with its own {@code Registry}, clock and settings; a seeded
 * scheduler lets one pending store call proceed at a time and injects
 * faults into it, so a seed fixes the whole run. Invariants are checked by a verifier registry over the raw
 * store at quiescent points. Start with {@link dev.arca.registry.testkit.sim.Simulation}.
 */
@NullMarked
package dev.arca.registry.testkit.sim;

import org.jspecify.annotations.NullMarked;
