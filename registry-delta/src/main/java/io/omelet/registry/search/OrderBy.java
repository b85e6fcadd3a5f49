package io.omelet.registry.search;

/** One sort key of a search: a field and its direction. Runs without the field sort last. */
public record OrderBy(Field field, boolean ascending) {}
