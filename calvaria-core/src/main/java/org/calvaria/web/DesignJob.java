package org.calvaria.web;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.calvaria.Json;
import org.calvaria.implant.DesignStage;

/** One run of the design service on one case; updated by the design thread, read by HTTP threads. */
final class DesignJob {
    enum State {
        QUEUED,
        RUNNING,
        DONE,
        FAILED,
        CANCELLED
    }

    final String id;
    final OpenedCase forCase;
    final double threshold;
    /** The page's settings: threshold, clearance, thickness, mould and fit check. */
    final DesignRequest request;

    final Path outputFolder;
    /** When queued (set again when loaded from a workspace). */
    Instant queuedAt = Instant.now();

    private State state = State.QUEUED;
    private DesignStage stage;
    private final List<DesignStage> stagesSeen = new ArrayList<>();
    private String error;
    private DesignOutcome outcome;
    private Instant startedAt;
    private Instant finishedAt;
    private java.util.Map<String, Object> verdict;

    DesignJob(String id, OpenedCase forCase, double threshold, Path outputFolder) {
        this(id, forCase, DesignRequest.defaults(threshold), outputFolder);
    }

    DesignJob(String id, OpenedCase forCase, DesignRequest request, Path outputFolder) {
        this.id = id;
        this.forCase = forCase;
        this.threshold = request.threshold();
        this.request = request;
        this.outputFolder = outputFolder;
    }

    /** Marks the job running; false when it was cancelled while queued (then it must not run). */
    synchronized boolean started() {
        if (state == State.CANCELLED) return false;
        state = State.RUNNING;
        startedAt = Instant.now();
        return true;
    }

    /**
     * Asks the job to stop: a queued job never runs, a running one stops at its next stage (the stage listener
     * throws). False when it had already ended.
     */
    synchronized boolean cancel() {
        if (state != State.QUEUED && state != State.RUNNING) return false;
        state = State.CANCELLED;
        error = "cancelled";
        finishedAt = Instant.now();
        return true;
    }

    synchronized boolean isCancelled() {
        return state == State.CANCELLED;
    }

    /** Thrown from the stage listener of a cancelled job, to end the design at the start of its next stage. */
    static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /** Called by the design service (any thread) when a stage begins. */
    synchronized void stage(DesignStage name) {
        if (state == State.CANCELLED) throw new Cancelled();
        if (name == null || state != State.RUNNING) return;
        stage = name;
        if (!stagesSeen.contains(name)) stagesSeen.add(name);
    }

    /** Restores a job read from a workspace. */
    synchronized void restore(
            State s, List<DesignStage> stages, String err, DesignOutcome o, Instant started, Instant finished) {
        state = s;
        stagesSeen.clear();
        stagesSeen.addAll(stages);
        error = err;
        outcome = o;
        startedAt = started;
        finishedAt = finished;
    }

    synchronized void succeeded(DesignOutcome result) {
        if (state == State.CANCELLED) return;
        outcome = result;
        state = State.DONE;
        finishedAt = Instant.now();
    }

    synchronized void failed(String message) {
        if (state == State.CANCELLED) return;
        error = message;
        state = State.FAILED;
        finishedAt = Instant.now();
    }

    /** The verdict on a finished design, read from its report once ({@link Verdict}). */
    synchronized java.util.Map<String, Object> verdict(DesignOutcome o) {
        if (verdict == null) {
            com.fasterxml.jackson.databind.JsonNode report = null;
            try {
                report = Json.MAPPER.readTree(o.reportJson().toFile());
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

    record Snapshot(
            State state,
            DesignStage stage,
            List<DesignStage> stagesSeen,
            String error,
            DesignOutcome outcome,
            Instant startedAt,
            Instant finishedAt) {}
}
