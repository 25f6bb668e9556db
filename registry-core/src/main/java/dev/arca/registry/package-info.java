/**
 * The Arca user API: {@link dev.arca.registry.Registry} and the value types and errors it speaks in.
 *
 * <p>Everything here is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.arca.registry;

import org.jspecify.annotations.NullMarked;
