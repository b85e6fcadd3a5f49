package io.omelet.registry;

import java.util.Map;

/**
 * A named set of settings kept in the registry, for a team to share: e.g. an AutoML profile
 * ({@code kind} "automl"). The registry stores the values; the module that owns the kind reads them.
 */
public record Preset(String kind, String name, Map<String, String> settings, String description, String owner,
                     long updatedTime) {}
