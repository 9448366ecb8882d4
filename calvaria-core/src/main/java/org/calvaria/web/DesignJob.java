package org.calvaria.web;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One run of the design service on one case; updated by the design thread, read by HTTP threads. */
final class DesignJob {
    enum State { QUEUED, RUNNING, DONE, FAILED }

    final String id;
    final OpenedCase forCase;
    final double threshold;
    final Path outputFolder;
    final Instant queuedAt = Instant.now();

    private State state = State.QUEUED;
    private String stage;
    private final List<String> stagesSeen = new ArrayList<>();
    private String error;
    private DesignOutcome outcome;
    private Instant startedAt;
    private Instant finishedAt;
    private java.util.Map<String, Object> verdict;

    DesignJob(String id, OpenedCase forCase, double threshold, Path outputFolder) {
        this.id = id;
        this.forCase = forCase;
        this.threshold = threshold;
        this.outputFolder = outputFolder;
    }

    synchronized void started() {
        state = State.RUNNING;
        startedAt = Instant.now();
    }

    /** Called by the design service (any thread) when a stage begins. */
    synchronized void stage(String name) {
        if (name == null || name.isBlank() || state != State.RUNNING) return;
        stage = name;
        if (!stagesSeen.contains(name)) stagesSeen.add(name);
    }

    synchronized void succeeded(DesignOutcome result) {
        outcome = result;
        state = State.DONE;
        finishedAt = Instant.now();
    }

    synchronized void failed(String message) {
        error = message;
        state = State.FAILED;
        finishedAt = Instant.now();
    }

    /** The verdict on a finished design, read from its report once ({@link Verdict}). */
    synchronized java.util.Map<String, Object> verdict(DesignOutcome o) {
        if (verdict == null) {
            com.fasterxml.jackson.databind.JsonNode report = null;
            try {
                report = WebServer.JSON.readTree(o.reportJson().toFile());
            } catch (java.io.IOException e) {
                // an unreadable report gives a verdict that says so: review needed
            }
            verdict = Verdict.of(report);
        }
        return verdict;
    }

    /** A consistent copy of the changing fields, for one JSON answer. */
    synchronized Snapshot snapshot() {
        return new Snapshot(state, stage, List.copyOf(stagesSeen), error, outcome, startedAt, finishedAt);
    }

    record Snapshot(State state, String stage, List<String> stagesSeen, String error, DesignOutcome outcome,
                    Instant startedAt, Instant finishedAt) {}
}
