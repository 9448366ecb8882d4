package org.calvaria.web;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local web app behind {@code calvaria serve}: a page with a 3-D viewer, and a small JSON API to open skulls,
 * run designs and download results.
 *
 * <p>Built on Jetty 12 (its core API, no servlets). Connections wait in Jetty's selector, not in threads, and request
 * bodies are read as they arrive ({@link BodyReader}) and answers written the same way, so a client that stalls,
 * half-sends its headers or stops reading costs a connection and never a worker thread; the connector's idle timeout
 * then drops it. (The JDK's own {@code com.sun.net.httpserver} gives each connection a thread from the moment it is
 * accepted, and has no read timeout: six stalled uploads stopped it answering anyone.) Uploads are opened one at a
 * time on their own thread, and designs run on one more, with bounded queues ({@link CaseStore}), so neither a long
 * design nor a heavy upload keeps the page from answering.
 *
 * <p>The routes, the Host and Origin checks and the static files are in {@link Routes}; the answers about cases
 * in {@link CaseHandlers}, about design jobs and their files in {@link JobHandlers}; one request and its answer is an
 * {@link Exchange}.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

    /** Default upload limit: a 512 x 512 x 500 CT is 250 MB as 16-bit voxels; 1 GB leaves room for DICOM zips. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 30;

    /** A connection on which nothing arrives or leaves for this long is closed (stalled uploads, half-sent headers). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** Worker threads; they only compute answers (bodies are read and written without them waiting). */
    private static final int HTTP_THREADS = 32;

    /**
     * How to run the server.
     *
     * @param bindAddress    where to listen; the loopback address unless the user asked otherwise
     * @param port           TCP port, 0 for any free one
     * @param maxUploadBytes largest upload accepted
     * @param tempParent     where the private temporary folder is made (null: the system's temporary folder)
     * @param idleTimeout    how long a connection may send and receive nothing before it is closed
     */
    public record Options(
            InetAddress bindAddress,
            int port,
            long maxUploadBytes,
            Path tempParent,
            Duration idleTimeout,
            Path workspace) {
        /** Without a workspace: everything lives in a temporary folder removed when the server stops. */
        public Options(InetAddress bindAddress, int port, long maxUploadBytes, Path tempParent, Duration idleTimeout) {
            this(bindAddress, port, maxUploadBytes, tempParent, idleTimeout, null);
        }

        public Options {
            Objects.requireNonNull(bindAddress, "bindAddress");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (port < 0 || port > 65535) throw new CalvariaException("port " + port + " is not a TCP port (0-65535)");
            if (maxUploadBytes <= 0) throw new CalvariaException("the upload limit must be positive");
            if (idleTimeout.toMillis() <= 0) throw new CalvariaException("the idle timeout must be positive");
        }

        /** Loopback, port 8080, 1 GB uploads, system temporary folder, 30 s idle timeout. */
        public static Options defaults() {
            return new Options(
                    InetAddress.getLoopbackAddress(), 8080, DEFAULT_MAX_UPLOAD_BYTES, null, DEFAULT_IDLE_TIMEOUT);
        }

        public Options withPort(int p) {
            return new Options(bindAddress, p, maxUploadBytes, tempParent, idleTimeout, workspace);
        }

        public Options withBindAddress(InetAddress a) {
            return new Options(a, port, maxUploadBytes, tempParent, idleTimeout, workspace);
        }

        public Options withMaxUploadBytes(long b) {
            return new Options(bindAddress, port, b, tempParent, idleTimeout, workspace);
        }

        public Options withTempParent(Path p) {
            return new Options(bindAddress, port, maxUploadBytes, p, idleTimeout, workspace);
        }

        /** Keep cases and runs in {@code dir} (created if missing), listed again after a restart; null: temporary. */
        public Options withWorkspace(Path dir) {
            return new Options(bindAddress, port, maxUploadBytes, tempParent, idleTimeout, dir);
        }

        public Options withIdleTimeout(Duration t) {
            return new Options(bindAddress, port, maxUploadBytes, tempParent, t, workspace);
        }
    }

    private final DesignService service;
    private final Options options;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Server jetty;
    private int port;
    private CaseStore store;
    private Routes routes;
    private Thread shutdownHook;
    private volatile boolean stopping;

    /** @param service the design pipeline (the real one from {@code serve}, a fake in tests) */
    public WebServer(DesignService service, Options options) {
        this.service = Objects.requireNonNull(service, "service");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Binds the port and starts serving; fails with a one-line message when the port is taken. */
    public synchronized WebServer start() {
        if (jetty != null) throw new IllegalStateException("already started");
        Path root = options.workspace() != null
                ? openWorkspace(options.workspace())
                : createWorkFolder(options.tempParent());
        QueuedThreadPool threads = new QueuedThreadPool(HTTP_THREADS, 2, 60_000);
        threads.setName("calvaria-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(16 * 1024);
        ServerConnector c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        c.setHost(options.bindAddress().getHostAddress());
        c.setPort(options.port());
        c.setIdleTimeout(options.idleTimeout().toMillis());
        c.setAcceptQueueSize(50);
        server.addConnector(c);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return routes.handle(request, response, callback);
            }
        });
        server.setErrorHandler(new JsonErrorHandler());
        CaseStore cases = new CaseStore(
                root,
                service,
                options.maxUploadBytes(),
                UploadCheck.defaultMemoryBudget(),
                options.workspace() != null);
        store = cases; // before the first request can arrive
        JobHandlers jobs = new JobHandlers(cases);
        routes = new Routes(
                cases,
                new CaseHandlers(cases, service, jobs, options.maxUploadBytes(), options.idleTimeout()),
                jobs,
                options.bindAddress().isLoopbackAddress(),
                () -> stopping);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // it did not start; nothing more to stop
            }
            cases.close();
            store = null;
            if (causedBy(e, BindException.class)) {
                throw new CalvariaException(
                        "cannot listen on " + hostForUrl(options.bindAddress()) + ":"
                                + options.port() + " (" + rootMessage(e)
                                + "); the port is probably in use: choose another"
                                + " with --port",
                        e);
            }
            throw new CalvariaException("cannot start the web server: " + rootMessage(e), e);
        }
        jetty = server;
        port = c.getLocalPort();
        shutdownHook = new Thread(this::stop, "calvaria-serve-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        LOG.debug("serving on {}, files in {}", url(), root);
        return this;
    }

    /** The private temporary folder, in {@code parent} or the system's; says why and what to do when it fails. */
    /** Held while the server runs, so that a second server cannot use the same workspace at the same time. */
    private java.nio.channels.FileChannel workspaceLock;

    private Path openWorkspace(Path dir) {
        try {
            Files.createDirectories(dir);
            Path root = dir.toRealPath();
            java.nio.channels.FileChannel ch =
                    FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (ch.tryLock() == null) {
                ch.close();
                throw new CalvariaException("another 'calvaria serve' is using the workspace " + root + "; stop it,"
                        + " or choose another folder with --workspace DIR");
            }
            workspaceLock = ch;
            return root;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new CalvariaException("this program already serves the workspace " + dir);
        } catch (IOException e) {
            throw new CalvariaException(
                    "cannot use the workspace " + dir + ": " + Folders.reason(e)
                            + "; choose a folder this user can write to with --workspace DIR",
                    e);
        }
    }

    private static Path createWorkFolder(Path parent) {
        Path where = parent != null ? parent : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            if (parent != null) Files.createDirectories(parent);
            return Files.createTempDirectory(where, "calvaria-serve-");
        } catch (IOException e) {
            throw new CalvariaException(
                    "cannot create a temporary folder for uploads in " + where + ": "
                            + Folders.reason(e) + "; choose a folder this user can write to with --temp-dir DIR"
                            + (parent == null ? " (or set JAVA_OPTS=-Djava.io.tmpdir=DIR)" : ""),
                    e);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return true;
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    public int port() {
        requireStarted();
        return port;
    }

    /** The address to open in a browser (the loopback address when listening on all interfaces). */
    public URI url() {
        requireStarted();
        InetAddress a =
                options.bindAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : options.bindAddress();
        return URI.create("http://" + hostForUrl(a) + ":" + port() + "/");
    }

    /** The private folder holding uploads and results (removed by {@link #stop()}). */
    public Path workFolder() {
        requireStarted();
        return store.root();
    }

    /** Stops serving, ends running designs and removes all temporary files. Safe to call more than once. */
    public void stop() {
        synchronized (this) {
            if (jetty == null || stopping) return;
            stopping = true;
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.debug("stopping the web server: {}", e.toString());
        }
        store.close();
        if (workspaceLock != null) {
            try {
                workspaceLock.close();
            } catch (IOException e) {
                LOG.debug("releasing the workspace lock: {}", e.toString());
            }
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook is running or done
            }
        }
        stopped.countDown();
    }

    @Override
    public void close() {
        stop();
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private void requireStarted() {
        if (jetty == null) throw new IllegalStateException("not started");
    }

    static String hostForUrl(InetAddress a) {
        String h = a.getHostAddress();
        int zone = h.indexOf('%');
        if (zone >= 0) h = h.substring(0, zone);
        return a instanceof Inet6Address ? "[" + h + "]" : h;
    }

    /** Errors Jetty answers by itself (malformed requests, headers too large): JSON like every other error. */
    private static final class JsonErrorHandler extends ErrorHandler {
        @Override
        protected void generateResponse(
                Request request, Response response, int code, String message, Throwable cause, Callback callback)
                throws IOException {
            byte[] body = Json.compact().writeValueAsBytes(Map.of("error", errorText(code, message)));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        private static String errorText(int code, String message) {
            String what = HttpStatus.getMessage(code).toLowerCase(Locale.ROOT);
            return message == null || message.isBlank() || message.equalsIgnoreCase(what)
                    ? what
                    : what + ": " + message;
        }
    }
}
