package org.calvaria;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long task. Library code reports steps; the command line decides whether a bar is drawn
 * ({@link #enabled(boolean)} is switched off by {@code --quiet} and in tests). Thread-safe.
 */
public final class Progress implements AutoCloseable {
    private static final AtomicBoolean ENABLED = new AtomicBoolean(true);
    /** Bars open now: a task inside another task's bar reports silently, so bars never interleave. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN =
            new java.util.concurrent.atomic.AtomicInteger();

    /** The bar on screen now, if any: {@link #endLine()} finishes it before an error is printed. */
    private static Progress drawing;
    /** Where bars are drawn; null: the process's standard error (file descriptor 2), the library's default. */
    private static volatile java.io.PrintStream output;

    private static final java.io.OutputStream STDERR = new java.io.FileOutputStream(java.io.FileDescriptor.err);
    /** The stream the last bar drew on, and whether its last byte left a line unfinished. */
    private static volatile java.io.PrintStream barStream;

    private static volatile boolean lineOpen;

    /** Passes bytes on and remembers whether the last one ended a line. */
    private static final class LineTracking extends java.io.FilterOutputStream {
        LineTracking(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws java.io.IOException {
            out.write(b);
            lineOpen = b != '\n';
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
            if (len > 0) lineOpen = b[off + len - 1] != '\n';
        }
    }

    private final ProgressBar bar;
    private boolean closed;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** Turns progress bars on or off for the whole process. */
    public static void enabled(boolean on) {
        ENABLED.set(on);
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Draws later bars on {@code stream}; null restores the default, the process's standard error. */
    public static void output(java.io.PrintStream stream) {
        output = stream;
    }

    /** Starts a bar with {@code total} steps (use -1 when unknown). Draws nothing when disabled. */
    public static Progress start(String task, long total) {
        if (!ENABLED.get()) return new Progress(null);
        if (OPEN.getAndIncrement() > 0) {
            OPEN.decrementAndGet();
            return new Progress(null);
        }
        // Without a terminal (logs, CI) a redrawn bar becomes one line per update: draw rarely there.
        @SuppressWarnings("SystemConsoleNull") // on Java 17, console() is null exactly when there is no terminal
        boolean terminal = System.console() != null;
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(terminal ? 250 : 15_000)
                .setMaxRenderedLength(110)
                .showSpeed();
        if (terminal) b.continuousUpdate();
        // Our own stream, so that endLine() knows whether the bar left its line open (a bar whose final drawing
        // failed, for example when memory ran out, never writes its closing newline).
        java.io.PrintStream out = new java.io.PrintStream(new LineTracking(output != null ? output : STDERR), true);
        barStream = out;
        b.setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out, 110));
        ProgressBar bar = b.build();
        Progress p = new Progress(bar);
        synchronized (Progress.class) {
            drawing = p;
        }
        return p;
    }

    /**
     * Finishes the bar being drawn, if any, so that the cursor is at the start of a fresh line: call before printing
     * an error, which must not end up on the bar's line. Does nothing when no bar is open.
     */
    public static void endLine() {
        Progress p;
        synchronized (Progress.class) {
            p = drawing;
        }
        if (p != null) {
            try {
                p.close();
            } catch (RuntimeException | Error e) {
                // the line is ended below all the same
            }
        }
        java.io.PrintStream out = barStream;
        if (lineOpen && out != null) {
            lineOpen = false;
            out.println();
            out.flush();
        }
    }

    /**
     * Ends the line a bar left open, if any, without stopping the bar: call before printing anything else (a log line,
     * a result), which would otherwise run on from the bar's last drawing. The bar draws again on a line of its own.
     */
    public static void breakLine() {
        java.io.PrintStream out = barStream;
        if (lineOpen && out != null) {
            lineOpen = false;
            out.println();
            out.flush();
        }
    }

    /** A progress that reports nothing. */
    public static Progress none() {
        return new Progress(null);
    }

    public void step() {
        if (bar != null) bar.step();
    }

    public void stepBy(long n) {
        if (bar != null) bar.stepBy(n);
    }

    public void stepTo(long n) {
        if (bar != null) bar.stepTo(n);
    }

    public void maxHint(long n) {
        if (bar != null) bar.maxHint(n);
    }

    /** Short status text shown after the bar (for example the current loss). */
    public void message(String text) {
        // the bar's speed ends right where the message starts ("?/s"): a space keeps them apart
        if (bar != null) bar.setExtraMessage(text == null || text.isEmpty() ? "" : " " + text);
    }

    public Duration elapsed() {
        return bar == null ? Duration.ZERO : bar.getTotalElapsed();
    }

    @Override
    public synchronized void close() {
        if (bar != null && !closed) {
            closed = true;
            synchronized (Progress.class) {
                if (drawing == this) drawing = null;
            }
            OPEN.decrementAndGet();
            bar.close(); // ends the bar's line
        }
        closed = true;
    }
}
