package org.calvaria.web;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body without holding a thread while the client is silent: it takes what has arrived, then asks
 * Jetty to call again when more does. A client that stalls therefore costs a connection, never a worker thread, and
 * is dropped by the connector's idle timeout.
 *
 * <p>Bytes go to a {@link Sink} up to a limit; past it they are read and dropped (up to {@code discardLimit} more)
 * so that the client still gets the answer, since a server that closes a connection with unread data makes TCP reset
 * it. {@code done} is called once, on a Jetty worker thread, with how it ended.
 */
final class BodyReader implements Runnable {
    /** Where the body's bytes go; may block (a file write), never waits for the network. */
    interface Sink {
        void write(ByteBuffer bytes) throws IOException;
    }

    enum Ending {
        /** The whole body arrived, within the limit. */
        COMPLETE,
        /** The body passed the limit (and was dropped from there on). */
        TOO_LARGE,
        /** The connection ended before the body did (the client closed its side early). */
        ENDED_EARLY,
        /** Nothing arrived for the connector's idle timeout. */
        STALLED,
        /** The connection failed (reset): the client is gone. */
        CLIENT_GONE,
        /** The sink could not write (the disk); see {@link Result#failure()}. */
        SINK_FAILED
    }

    /** How the body ended, how many bytes came, and the failure behind it, if any. */
    record Result(Ending ending, long bytes, Throwable failure) {}

    private final Request request;
    private final Sink sink;
    private final long limit;
    private final long discardLimit;
    private final Consumer<Result> done;
    private long bytes;
    private boolean finished;

    private BodyReader(Request request, Sink sink, long limit, long discardLimit, Consumer<Result> done) {
        this.request = request;
        this.sink = sink;
        this.limit = limit;
        this.discardLimit = discardLimit;
        this.done = done;
    }

    /** Starts reading {@code request}'s body; {@code done} is called once it has ended one way or another. */
    static void read(Request request, Sink sink, long limit, long discardLimit, Consumer<Result> done) {
        new BodyReader(request, sink, limit, discardLimit, done).run();
    }

    @Override
    public void run() {
        while (!finished) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable f = chunk.getFailure();
                finish(new Result(classify(f), bytes, f));
                return;
            }
            boolean last = chunk.isLast();
            try {
                ByteBuffer b = chunk.getByteBuffer();
                int n = b.remaining();
                bytes += n;
                if (bytes <= limit) {
                    if (n > 0) sink.write(b);
                } else if (bytes > limit + discardLimit) {
                    finish(new Result(Ending.TOO_LARGE, bytes, null));
                    return;
                }
            } catch (IOException | RuntimeException e) {
                finish(new Result(Ending.SINK_FAILED, bytes, e));
                return;
            } finally {
                chunk.release();
            }
            if (last) finish(new Result(bytes > limit ? Ending.TOO_LARGE : Ending.COMPLETE, bytes, null));
        }
    }

    private void finish(Result r) {
        finished = true;
        done.accept(r);
    }

    private static Ending classify(Throwable f) {
        for (Throwable t = f; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) return Ending.STALLED;
        }
        String m = String.valueOf(f.getMessage()).toLowerCase(java.util.Locale.ROOT);
        // Jetty reports a connection that closed in the middle of the body as an early EOF.
        if (f instanceof EOFException || m.contains("early eof")) return Ending.ENDED_EARLY;
        return Ending.CLIENT_GONE;
    }
}
