package dev.arca.registry;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One move of a tag.
 *
 * @param version the version the tag was set to, or null when the tag was removed (by {@code untag}, or because
 *     the version it named was deleted)
 * @param previous the version it pointed to before, or null when it was created
 * @param at when
 * @param by who (the writing process's user)
 */
public record TagEvent(@Nullable Version version, @Nullable Version previous, Instant at, String by) {}
