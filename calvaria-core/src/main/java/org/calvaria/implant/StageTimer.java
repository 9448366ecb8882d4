package org.calvaria.implant;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Tells a listener when each design stage begins and measures how long each took (wall clock, seconds): a stage
 * ends when the next begins or at {@link #end()}. Not thread-safe; one design at a time.
 */
public final class StageTimer {
    private final Consumer<DesignStage> listener;
    private final Map<DesignStage, Double> seconds = new LinkedHashMap<>();
    private DesignStage current;
    private long startNanos;

    public StageTimer(Consumer<DesignStage> listener) {
        this.listener = listener;
    }

    /** A timer that tells nobody. */
    public static StageTimer silent() {
        return new StageTimer(s -> {});
    }

    /** Ends the stage running, if any, tells the listener that {@code stage} begins, and starts its clock. */
    public void begin(DesignStage stage) {
        end();
        long t = System.nanoTime();
        listener.accept(stage);
        current = stage;
        startNanos = t;
    }

    /** Ends the stage running, if any, recording its seconds. */
    public void end() {
        if (current != null) seconds.put(current, (System.nanoTime() - startNanos) / 1e9);
        current = null;
    }

    /** Seconds per finished stage, in the order they ran. */
    public Map<DesignStage, Double> seconds() {
        return Collections.unmodifiableMap(seconds);
    }

    /** The sum of the finished stages' seconds. */
    public double total() {
        double t = 0;
        for (double v : seconds.values()) t += v;
        return t;
    }
}
