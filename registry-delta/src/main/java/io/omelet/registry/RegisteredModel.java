package io.omelet.registry;

import java.util.Map;

/** A named model whose versions come from runs; aliases point at versions. */
public record RegisteredModel(
    String name,
    String description,
    long creationTime,
    long lastUpdatedTime,
    Map<String, String> tags,
    Map<String, Integer> aliases) {}
