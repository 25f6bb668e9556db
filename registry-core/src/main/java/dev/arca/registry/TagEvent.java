package dev.arca.registry;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One move of a tag.
 *
 * @param version the version the tag was set to
 * @param previous the version it pointed to before, or null when it was created
 * @param at when
 * @param by who (the writing process's user)
 */
public record TagEvent(Version version, @Nullable Version previous, Instant at, String by) {}
