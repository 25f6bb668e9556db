/**
 * The Store: one key space over named mounts, each a {@link dev.arca.registry.Registry}, with routing rules,
 * read-only mounts, a temp mount, a config file format, and copy/promote/sync between mounts.
 */
@NullMarked
package dev.arca.store;

import org.jspecify.annotations.NullMarked;
