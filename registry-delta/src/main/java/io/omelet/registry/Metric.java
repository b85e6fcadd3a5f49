package io.omelet.registry;

/** One metric point: its value at a step, logged at a time (epoch milliseconds). */
public record Metric(String key, double value, long timestamp, long step) {}
