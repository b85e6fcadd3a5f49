package io.omelet.registry;

/** A run's attributes: everything but its logged data. endTime is null while it runs. */
public record RunInfo(
    String runId,
    String experimentId,
    String runName,
    String userId,
    String source,
    RunStatus status,
    long startTime,
    Long endTime,
    String parentRunId,
    String lifecycleStage,
    String artifactUri) {}
