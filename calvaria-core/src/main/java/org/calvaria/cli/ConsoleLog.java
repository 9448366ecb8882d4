package org.calvaria.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.PrintWriter;
import org.calvaria.Progress;

/**
 * The log appender of the command line ({@link LogSetup}): each line goes to the running command line's standard
 * error ({@link Main} sets it; the process's {@code System.err} otherwise), after ending any line a progress bar left
 * open, so a message never runs on from a bar.
 */
public final class ConsoleLog extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private static volatile PrintWriter target;
    private Layout<ILoggingEvent> layout;

    /** Sends log lines to {@code err}; null: back to {@code System.err}. */
    static void target(PrintWriter err) {
        target = err;
    }

    public void setLayout(Layout<ILoggingEvent> layout) {
        this.layout = layout;
    }

    @Override
    public void start() {
        if (layout == null) {
            addError("no layout set for the appender named '" + name + "'");
            return;
        }
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String text = layout.doLayout(event);
        synchronized (ConsoleLog.class) {
            Progress.breakLine();
            PrintWriter t = target;
            if (t != null) {
                t.print(text);
                t.flush();
            } else {
                System.err.print(text);
                System.err.flush();
            }
        }
    }
}
