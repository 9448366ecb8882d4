package org.calvaria;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Progress of a long task. Library code reports steps; the command line decides whether a bar is drawn
 * ({@link #enabled(boolean)} is switched off by {@code --quiet} and in tests). Thread-safe.
 */
public final class Progress implements AutoCloseable {
    private static final AtomicBoolean ENABLED = new AtomicBoolean(true);
    /** Bars open now: a task inside another task's bar reports silently, so bars never interleave. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    private final ProgressBar bar;
    private boolean closed;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** Turns progress bars on or off for the whole process. */
    public static void enabled(boolean on) { ENABLED.set(on); }

    public static boolean isEnabled() { return ENABLED.get(); }

    /** Starts a bar with {@code total} steps (use -1 when unknown). Draws nothing when disabled. */
    public static Progress start(String task, long total) {
        if (!ENABLED.get()) return new Progress(null);
        if (OPEN.getAndIncrement() > 0) {
            OPEN.decrementAndGet();
            return new Progress(null);
        }
        // Without a terminal (logs, CI) a redrawn bar becomes one line per update: draw rarely there.
        boolean terminal = System.console() != null;
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(terminal ? 250 : 15_000)
                .setMaxRenderedLength(110)
                .showSpeed();
        if (terminal) b.continuousUpdate();
        ProgressBar bar = b.build();
        return new Progress(bar);
    }

    /** A progress that reports nothing. */
    public static Progress none() { return new Progress(null); }

    public void step() { if (bar != null) bar.step(); }

    public void stepBy(long n) { if (bar != null) bar.stepBy(n); }

    public void stepTo(long n) { if (bar != null) bar.stepTo(n); }

    public void maxHint(long n) { if (bar != null) bar.maxHint(n); }

    /** Short status text shown after the bar (for example the current loss). */
    public void message(String text) { if (bar != null) bar.setExtraMessage(text); }

    public Duration elapsed() { return bar == null ? Duration.ZERO : bar.getTotalElapsed(); }

    @Override
    public synchronized void close() {
        if (bar != null && !closed) {
            bar.close();
            OPEN.decrementAndGet();
        }
        closed = true;
    }
}
