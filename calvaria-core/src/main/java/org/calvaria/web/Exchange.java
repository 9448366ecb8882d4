package org.calvaria.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.calvaria.Json;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its answer. Every answer is written without waiting for the client; a client that has gone
 * away is logged on one line, without a stack trace (it is not the server's fault).
 */
final class Exchange {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

    final Request request;
    final Response response;
    final Callback callback;
    final String method;
    final String path;
    /** What the request does, for log lines ("upload of 'skull.nrrd'"). */
    String what;

    /**
     * A refused request's body is still read (and dropped) up to this many bytes before the answer, and a body past
     * its limit is read on this far: a server that closes a connection with unread data makes TCP reset it, and the
     * client never sees the answer. Beyond this, it is cut off.
     */
    static final long UNREAD_BODY_LIMIT = 256L << 20;

    private final AtomicBoolean answered = new AtomicBoolean();
    /** Whether the request body has been (or is being) read: an error answer must not read it a second time. */
    private boolean bodyTaken;
    /** True while the server stops: failed writes are then expected, not logged. */
    private final BooleanSupplier stopping;

    Exchange(Request request, Response response, Callback callback, BooleanSupplier stopping) {
        this.stopping = stopping;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.method = request.getMethod();
        this.path = request.getHttpURI().getPath();
    }

    interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action}, answering with its error if it fails. */
    void guard(Action action) {
        try {
            action.run();
        } catch (Throwable t) {
            fail(t);
        }
    }

    void fail(Throwable t) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (e instanceof HttpError h) {
            sendError(h);
            return;
        }
        LOG.warn("request {} {} failed", method, path, e);
        sendError(new HttpError(
                500, "internal error (" + e.getClass().getSimpleName() + "); the server's log has the details"));
    }

    /**
     * Answers with {@code e}. A request refused before its body was read (another site's upload, a wrong path or
     * method) has the body read and dropped first, up to {@link #UNREAD_BODY_LIMIT}: a server that
     * closes a connection with unread data makes TCP reset it, and the client may then see no answer at all.
     */
    void sendError(HttpError e) {
        long declared = request.getLength();
        boolean unreadBody = !bodyTaken
                && (declared > 0 || (declared < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)));
        if (unreadBody && declared <= UNREAD_BODY_LIMIT) {
            readBody(b -> {}, 0, UNREAD_BODY_LIMIT, r -> {
                if (r.ending() == BodyReader.Ending.CLIENT_GONE) clientGone(r.failure(), r.bytes(), declared);
                else answerError(e);
            });
            return;
        }
        answerError(e);
    }

    private void answerError(HttpError e) {
        if (e.allow != null) response.getHeaders().put(HttpHeader.ALLOW, e.allow);
        sendJson(e.status, Map.of("error", e.getMessage()));
    }

    /** Reads the request body through a {@link BodyReader} (see there); the only way handlers read one. */
    void readBody(
            BodyReader.Sink sink, long limit, long discardLimit, java.util.function.Consumer<BodyReader.Result> done) {
        bodyTaken = true;
        BodyReader.read(request, sink, limit, discardLimit, done);
    }

    void sendJson(int status, Object body) {
        byte[] bytes;
        try {
            bytes = Json.compact().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        send(status, "application/json; charset=utf-8", bytes);
    }

    void send(int status, String type, byte[] bytes) {
        if (!answered.compareAndSet(false, true)) return;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), written());
    }

    void sendFile(Path file, String type, String downloadName) throws IOException {
        if (!Files.isRegularFile(file)) throw HttpError.notFound("the file is gone (the server may be stopping)");
        long size = Files.size(file);
        if (!answered.compareAndSet(false, true)) return;
        response.setStatus(200);
        HttpFields.Mutable h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, type);
        h.put(HttpHeader.CONTENT_LENGTH, size);
        if (downloadName != null) h.put("Content-Disposition", "attachment; filename=\"" + downloadName + "\"");
        Content.copy(Content.Source.from(file), response, written());
    }

    /** Completes the exchange once the answer is written; a failed write means the client went away. */
    private Callback written() {
        return Callback.from(callback::succeeded, failure -> {
            // Stopping the server closes its connections, failing answers still in flight: that is no news.
            if (!stopping.getAsBoolean()) LOG.info("client went away during {}: {}", describe(), reason(failure));
            callback.failed(failure);
        });
    }

    /** The client left while its request body was arriving: one line, and no answer to write. */
    void clientGone(Throwable failure, long bytes, long declared) {
        answered.set(true);
        LOG.info(
                "client went away during {} after {}{} bytes: {}",
                describe(),
                bytes,
                declared >= 0 ? " of " + declared : "",
                reason(failure));
        callback.failed(failure);
    }

    private String describe() {
        return method + " " + path + (what == null ? "" : " (" + what + ")");
    }

    /** The last cause's message ("Connection reset by peer", "Broken pipe"), for one log line. */
    static String reason(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
