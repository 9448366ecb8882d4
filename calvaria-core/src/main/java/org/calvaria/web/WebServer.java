package org.calvaria.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.Provenance;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * <p>Endpoints (all answers JSON unless a file; errors are {@code {"error": "..."}}):
 * <pre>
 * GET  /                                  the page
 * GET  /static/NAME                       page assets, from the jar (web/NAME)
 * GET  /api/config                        limits, stage names, threshold setting, version
 * GET  /api/cases                         cases opened so far, each with its design jobs
 * POST /api/cases                         body: the file's bytes; header X-File-Name: its name (URL-encoded)
 * GET  /api/cases/ID                      one case
 * GET  /api/cases/ID/view/NAME            the files the viewer loads (slices.nii.gz: downsampled volume; skull.mz3:
 *                                         decimated surface, RAS; or skull.stl for a mesh case)
 * POST /api/cases/ID/design               body: {"threshold": 0.5}; answers 202 with the queued job
 * GET  /api/jobs/ID                       a job's state, stage, figures and file links
 * POST /api/jobs/ID/cancel                cancels a queued or running design (409 once it has ended)
 * GET  /api/jobs/ID/report.html           a printable report of a finished design
 * GET  /api/jobs/ID/files/KIND            implant.stl, implant.nrrd, completed.nrrd, report.json, preview.png,
 *                                         holes.json (rim points, LPS mm), rims.stl (rim markers for the viewer, RAS),
 *                                         implant.mz3, completed.mz3 (decimated view meshes, RAS), thickness.mz3
 *                                         (when the run made one: implant surface with thickness per vertex)
 * </pre>
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

    /** Default upload limit: a 512 x 512 x 500 CT is 250 MB as 16-bit voxels; 1 GB leaves room for DICOM zips. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 30;

    /** A connection on which nothing arrives or leaves for this long is closed (stalled uploads, half-sent headers). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * A refused upload is still read (and dropped) up to this many bytes before the answer: a server that closes a
     * connection with unread data makes TCP reset it, and the client never sees the 413. Beyond this, it is cut off.
     */
    private static final long UNREAD_BODY_LIMIT = 256L << 20;
    /** The design request's JSON body. */
    private static final int MAX_DESIGN_BODY = 64 * 1024;
    /** Worker threads; they only compute answers (bodies are read and written without them waiting). */
    private static final int HTTP_THREADS = 32;

    /** Files a finished job offers, by the name used in its URL. */
    static final List<String> FILE_KINDS = List.of("implant.stl", "implant.nrrd", "completed.nrrd", "report.json",
            "preview.png", "holes.json", "rims.stl");

    private static final String ID = "([a-z][0-9]{1,9}-[0-9a-f]{6})";
    private static final Pattern CASE = Pattern.compile("/api/cases/" + ID);
    private static final Pattern CASE_VIEW = Pattern.compile("/api/cases/" + ID + "/view/([A-Za-z0-9._-]{1,40})");
    private static final Pattern CASE_DESIGN = Pattern.compile("/api/cases/" + ID + "/design");
    private static final Pattern JOB = Pattern.compile("/api/jobs/" + ID);
    private static final Pattern JOB_CANCEL = Pattern.compile("/api/jobs/" + ID + "/cancel");
    private static final Pattern JOB_REPORT = Pattern.compile("/api/jobs/" + ID + "/report.html");
    private static final Pattern JOB_FILE = Pattern.compile("/api/jobs/" + ID + "/files/([A-Za-z0-9._-]{1,40})");
    /** Asset names: plain segments, none starting with a dot, so ".." and hidden files can never be named. */
    private static final Pattern ASSET = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}){0,4}");
    private static final String CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline';"
            + " script-src 'self'; connect-src 'self' data: blob:; worker-src 'self' blob:; object-src 'none';"
            + " frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /**
     * How to run the server.
     *
     * @param bindAddress    where to listen; the loopback address unless the user asked otherwise
     * @param port           TCP port, 0 for any free one
     * @param maxUploadBytes largest upload accepted
     * @param tempParent     where the private temporary folder is made (null: the system's temporary folder)
     * @param idleTimeout    how long a connection may send and receive nothing before it is closed
     */
    public record Options(InetAddress bindAddress, int port, long maxUploadBytes, Path tempParent,
                          Duration idleTimeout, Path workspace) {
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
            return new Options(InetAddress.getLoopbackAddress(), 8080, DEFAULT_MAX_UPLOAD_BYTES, null,
                    DEFAULT_IDLE_TIMEOUT);
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
        Path root = options.workspace() != null ? openWorkspace(options.workspace())
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
                return WebServer.this.handle(request, response, callback);
            }
        });
        server.setErrorHandler(new JsonErrorHandler());
        CaseStore cases = new CaseStore(root, service, options.maxUploadBytes(), UploadCheck.defaultMemoryBudget(),
                options.workspace() != null);
        store = cases; // before the first request can arrive
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
                throw new CalvariaException("cannot listen on " + hostForUrl(options.bindAddress()) + ":"
                        + options.port() + " (" + rootMessage(e) + "); the port is probably in use: choose another"
                        + " with --port", e);
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
            java.nio.channels.FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
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
            throw new CalvariaException("cannot use the workspace " + dir + ": " + Folders.reason(e)
                    + "; choose a folder this user can write to with --workspace DIR", e);
        }
    }

    private static Path createWorkFolder(Path parent) {
        Path where = parent != null ? parent : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            if (parent != null) Files.createDirectories(parent);
            return Files.createTempDirectory(where, "calvaria-serve-");
        } catch (IOException e) {
            throw new CalvariaException("cannot create a temporary folder for uploads in " + where + ": "
                    + Folders.reason(e) + "; choose a folder this user can write to with --temp-dir DIR"
                    + (parent == null ? " (or set JAVA_OPTS=-Djava.io.tmpdir=DIR)" : ""), e);
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
        InetAddress a = options.bindAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress()
                : options.bindAddress();
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

    // ------------------------------------------------------------------ routing

    private boolean handle(Request request, Response response, Callback callback) {
        Exchange ex = new Exchange(request, response, callback);
        ex.guard(() -> {
            setCommonHeaders(response.getHeaders());
            checkHostAndOrigin(request);
            route(ex);
        });
        return true;
    }

    /** Answers the request, now or (for requests with a body) once the body has arrived. */
    private void route(Exchange ex) throws IOException {
        String method = ex.method;
        String rawPath = ex.path;
        // No route needs escapes, dots as path segments or a trailing query: refuse them before decoding anything.
        if (rawPath == null || rawPath.contains("%") || rawPath.contains("\\") || rawPath.contains("//")
                || rawPath.contains("/./") || rawPath.contains("/../") || rawPath.endsWith("/..")
                || rawPath.endsWith("/.")) {
            throw HttpError.notFound("no such page");
        }
        String path = rawPath;
        Matcher m;
        if (path.equals("/") || path.equals("/index.html")) {
            requireMethod(method, "GET");
            sendAsset(ex, "index.html");
        } else if (path.startsWith("/static/")) {
            requireMethod(method, "GET");
            String name = path.substring("/static/".length());
            if (!ASSET.matcher(name).matches()) throw HttpError.notFound("no such file");
            sendAsset(ex, name);
        } else if (path.equals("/api/config")) {
            requireMethod(method, "GET");
            ex.sendJson(200, configJson());
        } else if (path.equals("/api/cases")) {
            if (method.equals("GET")) {
                ex.sendJson(200, Map.of("cases", store.cases().stream().map(this::caseJson).toList()));
            } else if (method.equals("POST")) {
                receiveUpload(ex);
            } else {
                throw HttpError.methodNotAllowed(method, "GET, POST");
            }
        } else if ((m = CASE.matcher(path)).matches()) {
            requireMethod(method, "GET");
            ex.sendJson(200, caseJson(store.findCase(m.group(1))));
        } else if ((m = CASE_VIEW.matcher(path)).matches()) {
            requireMethod(method, "GET");
            OpenedCase c = store.findCase(m.group(1));
            Path file = c.viewFile(m.group(2));
            if (file == null) throw HttpError.notFound("case " + c.id + " has no file " + m.group(2));
            ex.sendFile(file, contentType(m.group(2)), null);
        } else if ((m = CASE_DESIGN.matcher(path)).matches()) {
            requireMethod(method, "POST");
            receiveDesign(ex, store.findCase(m.group(1)));
        } else if ((m = JOB.matcher(path)).matches()) {
            requireMethod(method, "GET");
            ex.sendJson(200, jobJson(store.findJob(m.group(1))));
        } else if ((m = JOB_CANCEL.matcher(path)).matches()) {
            requireMethod(method, "POST");
            DesignJob job = store.findJob(m.group(1));
            if (!store.cancel(job)) {
                throw new HttpError(409, "design " + job.id + " has already ended ("
                        + job.snapshot().state().name().toLowerCase(Locale.ROOT) + ")");
            }
            ex.sendJson(200, jobJson(job));
        } else if ((m = JOB_REPORT.matcher(path)).matches()) {
            requireMethod(method, "GET");
            DesignJob job = store.findJob(m.group(1));
            DesignJob.Snapshot s = job.snapshot();
            if (s.state() != DesignJob.State.DONE) throw new HttpError(409, "design " + job.id + " has no result");
            byte[] html = RunReport.html(job, s.outcome(), job.verdict(s.outcome()), jobJson(job))
                    .getBytes(StandardCharsets.UTF_8);
            ex.response.getHeaders().put("Content-Security-Policy", "default-src 'none'; img-src 'self' data:;"
                    + " style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
            ex.send(200, "text/html; charset=utf-8", html);
        } else if ((m = JOB_FILE.matcher(path)).matches()) {
            requireMethod(method, "GET");
            sendJobFile(ex, store.findJob(m.group(1)), m.group(2));
        } else {
            throw HttpError.notFound("no such page: " + path);
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) throw HttpError.methodNotAllowed(method, allowed);
    }

    /**
     * Bound to loopback, the server answers only requests addressed to a loopback name, so that a web site cannot
     * reach it through DNS rebinding; and it refuses changes requested by pages of other origins.
     */
    private void checkHostAndOrigin(Request request) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (options.bindAddress().isLoopbackAddress() && host != null) {
            String h = host.toLowerCase(Locale.ROOT).replaceFirst(":[0-9]+$", "");
            boolean loopbackName = h.equals("localhost") || h.endsWith(".localhost") || h.equals("[::1]")
                    || h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
            if (!loopbackName) throw new HttpError(403, "this server answers only requests to localhost");
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !request.getMethod().equals("GET")) {
            if (host == null || !origin.equalsIgnoreCase("http://" + host)) {
                throw new HttpError(403, "requests from other web sites are refused");
            }
        }
    }

    // ------------------------------------------------------------------ API

    private Map<String, Object> configJson() {
        ThresholdSetting t = service.threshold();
        Map<String, Object> threshold = new LinkedHashMap<>();
        threshold.put("label", t.label());
        threshold.put("default", t.defaultValue());
        threshold.put("min", t.min());
        threshold.put("max", t.max());
        threshold.put("step", t.step());
        threshold.put("help", t.help());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", Provenance.version());
        m.put("maxUploadBytes", options.maxUploadBytes());
        m.put("maxUploadText", Uploads.describeBytes(options.maxUploadBytes()));
        m.put("stages", DesignService.STAGES);
        m.put("threshold", threshold);
        return m;
    }

    /**
     * POST /api/cases: the body goes to the case's private folder as it arrives; once whole, the upload is opened on
     * the store's opening thread and answered from there.
     */
    private void receiveUpload(Exchange ex) throws IOException {
        String rawName = ex.request.getHeaders().get("X-File-Name");
        String name = CaseStore.cleanName(rawName == null ? null : decodeName(rawName));
        ex.what = "upload of '" + name + "'";
        long declared = ex.request.getLength();
        long max = options.maxUploadBytes();
        if (declared > max) {
            // Nothing lands on disk; the body is read and dropped so that the client gets the answer.
            HttpError tooLarge = new HttpError(413, Uploads.tooLargeMessage(max));
            if (declared > max + UNREAD_BODY_LIMIT) throw tooLarge;
            BodyReader.read(ex.request, b -> { }, 0, UNREAD_BODY_LIMIT, r -> ex.guard(() -> {
                if (r.ending() == BodyReader.Ending.CLIENT_GONE) ex.clientGone(r.failure(), r.bytes(), declared);
                else ex.sendError(tooLarge);
            }));
            return;
        }
        if (declared == 0) throw HttpError.badRequest("the request holds no file; choose a skull file to open");
        CaseStore.Upload upload = store.startUpload(name);
        FileChannel file;
        try {
            file = FileChannel.open(upload.file(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            store.discard(upload);
            LOG.warn("cannot write an upload in {}: {}", store.root(), Folders.reason(e));
            throw Folders.cannotWrite(e);
        }
        BodyReader.read(ex.request, b -> {
            while (b.hasRemaining()) file.write(b);
        }, max, UNREAD_BODY_LIMIT, r -> ex.guard(() -> {
            try {
                file.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", upload.file(), e.toString());
            }
            if (r.ending() != BodyReader.Ending.COMPLETE) {
                store.discard(upload);
                bodyFailed(ex, r, declared, max);
                return;
            }
            store.open(upload, r.bytes()).whenComplete((c, failure) -> {
                if (failure == null) ex.guard(() -> ex.sendJson(201, caseJson(c)));
                else ex.fail(failure);
            });
        }));
    }

    /** The answer for a body that did not arrive whole (it is too large, ended early, stalled or its client left). */
    private void bodyFailed(Exchange ex, BodyReader.Result r, long declared, long limit) {
        switch (r.ending()) {
            case TOO_LARGE -> ex.sendError(new HttpError(413, Uploads.tooLargeMessage(limit)));
            case ENDED_EARLY -> ex.sendError(HttpError.badRequest("the " + ex.what + " ended after " + r.bytes()
                    + (declared >= 0 ? " of the " + declared + " bytes it announced" : " bytes, before its end")
                    + ": the connection was cut; send it again"));
            case STALLED -> ex.sendError(new HttpError(408, "the " + ex.what + " stalled: nothing arrived for "
                    + options.idleTimeout().toSeconds() + " s after " + r.bytes() + " bytes; send it again"));
            case CLIENT_GONE -> ex.clientGone(r.failure(), r.bytes(), declared);
            case SINK_FAILED -> {
                if (r.failure() instanceof IOException io) {
                    LOG.warn("cannot write an upload in {}: {}", store.root(), Folders.reason(io));
                    ex.sendError(Folders.cannotWrite(io));
                } else {
                    ex.fail(r.failure());
                }
            }
            default -> throw new IllegalStateException("not a failure: " + r.ending());
        }
    }

    private static String decodeName(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    /** POST /api/cases/ID/design: a small JSON body, read as it arrives, then the design is queued. */
    private void receiveDesign(Exchange ex, OpenedCase c) {
        ex.what = "design request for case " + c.id;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BodyReader.read(ex.request, b -> {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            body.write(bytes, 0, bytes.length);
        }, MAX_DESIGN_BODY, UNREAD_BODY_LIMIT, r -> ex.guard(() -> {
            if (r.ending() == BodyReader.Ending.TOO_LARGE) throw HttpError.badRequest("the request body is too long");
            if (r.ending() != BodyReader.Ending.COMPLETE) {
                bodyFailed(ex, r, ex.request.getLength(), MAX_DESIGN_BODY);
                return;
            }
            startDesign(ex, c, body.toByteArray());
        }));
    }

    private void startDesign(Exchange ex, OpenedCase c, byte[] body) throws IOException {
        if (body.length == 0) throw HttpError.badRequest("the request needs a JSON body like {\"threshold\": 0.5}");
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("the request body is not JSON; send {\"threshold\": 0.5}");
        }
        ThresholdSetting setting = service.threshold();
        double threshold = setting.defaultValue();
        if (json != null && json.has("threshold")) {
            JsonNode t = json.get("threshold");
            if (!t.isNumber()) throw HttpError.badRequest("threshold must be a number");
            threshold = t.asDouble();
        } else if (json == null || !json.isObject()) {
            throw HttpError.badRequest("the request body must be a JSON object like {\"threshold\": 0.5}");
        }
        if (!setting.accepts(threshold)) {
            throw HttpError.badRequest(String.format(Locale.ROOT, "threshold %s is outside %s..%s", fmt(threshold),
                    fmt(setting.min()), fmt(setting.max())));
        }
        if (!c.canDesign()) {
            throw new HttpError(409, "'" + c.name + "' is a mesh (STL): it can be viewed, but designing an implant"
                    + " needs a volume; open the skull as NRRD, NIfTI or a zipped DICOM folder");
        }
        DesignJob job = store.startDesign(c, threshold);
        ex.response.getHeaders().put(HttpHeader.LOCATION, "/api/jobs/" + job.id);
        ex.sendJson(202, jobJson(job));
    }

    private void sendJobFile(Exchange ex, DesignJob job, String kind) throws IOException {
        if (ViewFiles.RUN_KINDS.contains(kind)) {
            DesignJob.Snapshot s = job.snapshot();
            Path file = s.state() == DesignJob.State.DONE ? ViewFiles.runFile(job.outputFolder, kind) : null;
            if (file == null) throw HttpError.notFound("this design has no " + kind);
            ex.sendFile(file, contentType(kind), null);
            return;
        }
        if (!FILE_KINDS.contains(kind)) {
            throw HttpError.notFound("no file '" + kind + "'; a job offers " + String.join(", ", FILE_KINDS));
        }
        DesignJob.Snapshot s = job.snapshot();
        if (s.state() != DesignJob.State.DONE) {
            throw new HttpError(409, "design " + job.id + " is " + s.state().name().toLowerCase(Locale.ROOT)
                    + "; its files exist once it is done");
        }
        Path file = fileOf(s.outcome(), kind);
        if (file == null) throw HttpError.notFound("this design made no " + kind);
        String download = job.forCase.safeBaseName() + "-t" + fmt(job.threshold) + "-" + kind;
        ex.sendFile(file, contentType(kind), download);
    }

    private static Path fileOf(DesignOutcome o, String kind) {
        return switch (kind) {
            case "implant.stl" -> o.implantStl();
            case "implant.nrrd" -> o.implantNrrd();
            case "completed.nrrd" -> o.completedSkullNrrd();
            case "report.json" -> o.reportJson();
            case "preview.png" -> o.previewPng();
            case "holes.json" -> o.holesJson();
            case "rims.stl" -> o.rimsStl();
            default -> null;
        };
    }

    private Map<String, Object> caseJson(OpenedCase c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id);
        m.put("name", c.name);
        m.put("kind", c.kind.name().toLowerCase(Locale.ROOT));
        m.put("format", c.format);
        m.put("uploadBytes", c.uploadBytes);
        m.put("openedAt", c.openedAt.toString());
        m.put("viewUrl", "/api/cases/" + c.id + "/view/" + c.viewName);
        if (c.viewFile(ViewFiles.SKULL_MESH) != null) {
            m.put("meshUrl", "/api/cases/" + c.id + "/view/" + ViewFiles.SKULL_MESH);
        }
        m.put("canDesign", c.canDesign());
        if (c.sizes != null) {
            m.put("sizes", c.sizes);
            m.put("spacingMm", c.spacingMm);
            m.put("valueRange", c.valueRange);
            m.put("binary", c.binary);
        }
        // What identifies a DICOM scan; the page masks the patient's name and ID until asked to show them.
        if (c.identity != null) m.put("identity", c.identity);
        if (!c.canDesign()) {
            m.put("note", "This is a mesh (STL): it can be viewed, but designing an implant needs a volume. Open the"
                    + " skull as NRRD, NIfTI or a zipped DICOM CT folder.");
        }
        m.put("jobs", c.jobs.stream().map(this::jobJson).toList());
        return m;
    }

    private Map<String, Object> jobJson(DesignJob job) {
        DesignJob.Snapshot s = job.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id);
        m.put("caseId", job.forCase.id);
        m.put("caseName", job.forCase.name);
        m.put("threshold", job.threshold);
        m.put("state", s.state().name().toLowerCase(Locale.ROOT));
        m.put("stage", s.stage());
        m.put("stagesSeen", s.stagesSeen());
        m.put("stages", DesignService.STAGES);
        m.put("queuedAt", job.queuedAt.toString());
        if (s.startedAt() != null) m.put("startedAt", s.startedAt().toString());
        if (s.finishedAt() != null) {
            m.put("finishedAt", s.finishedAt().toString());
            if (s.startedAt() != null) {
                m.put("elapsedSeconds", Duration.between(s.startedAt(), s.finishedAt()).toMillis() / 1000.0);
            }
        }
        if (s.error() != null) m.put("error", s.error());
        if (s.outcome() != null) {
            DesignOutcome.Figures f = s.outcome().figures();
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("implantVolumeMl", f.implantVolumeMl());
            figures.put("surfaceAreaMm2", f.surfaceAreaMm2());
            figures.put("boundingBoxMm", f.boundingBoxMm());
            figures.put("seconds", f.seconds());
            m.put("figures", figures);
            m.put("verdict", job.verdict(s.outcome()));
            Map<String, String> files = new LinkedHashMap<>();
            for (String kind : FILE_KINDS) {
                if (fileOf(s.outcome(), kind) != null) files.put(kind, "/api/jobs/" + job.id + "/files/" + kind);
            }
            m.put("files", files);
            // The viewer's files (decimated meshes, RAS); "thickness.mz3" only when the run made one.
            Map<String, String> view = new LinkedHashMap<>();
            for (String kind : ViewFiles.RUN_KINDS) {
                if (ViewFiles.runFile(job.outputFolder, kind) != null) view.put(kind, "/api/jobs/" + job.id + "/files/" + kind);
            }
            m.put("view", view);
        }
        return m;
    }

    // ------------------------------------------------------------------ responses

    private static void setCommonHeaders(HttpFields.Mutable h) {
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
    }

    private static void sendAsset(Exchange ex, String name) throws IOException {
        byte[] bytes;
        try (InputStream in = WebServer.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw HttpError.notFound("no such file: " + name);
            bytes = in.readAllBytes();
        }
        HttpFields.Mutable h = ex.response.getHeaders();
        h.put(HttpHeader.CACHE_CONTROL, "no-cache");
        if (name.endsWith(".html")) {
            h.put("Content-Security-Policy", CSP);
            h.put("X-Frame-Options", "DENY");
        }
        ex.send(200, contentType(name), bytes);
    }

    /**
     * One request and its answer. Every answer is written without waiting for the client; a client that has gone
     * away is logged on one line, without a stack trace (it is not the server's fault).
     */
    private final class Exchange {
        final Request request;
        final Response response;
        final Callback callback;
        final String method;
        final String path;
        /** What the request does, for log lines ("upload of 'skull.nrrd'"). */
        String what;
        private final AtomicBoolean answered = new AtomicBoolean();

        Exchange(Request request, Response response, Callback callback) {
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
            sendError(new HttpError(500, "internal error (" + e.getClass().getSimpleName()
                    + "); the server's log has the details"));
        }

        void sendError(HttpError e) {
            if (e.allow != null) response.getHeaders().put(HttpHeader.ALLOW, e.allow);
            sendJson(e.status, Map.of("error", e.getMessage()));
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
                if (!stopping) LOG.info("client went away during {}: {}", describe(), reason(failure));
                callback.failed(failure);
            });
        }

        /** The client left while its request body was arriving: one line, and no answer to write. */
        void clientGone(Throwable failure, long bytes, long declared) {
            answered.set(true);
            LOG.info("client went away during {} after {}{} bytes: {}", describe(), bytes,
                    declared >= 0 ? " of " + declared : "", reason(failure));
            callback.failed(failure);
        }

        private String describe() {
            return method + " " + path + (what == null ? "" : " (" + what + ")");
        }
    }

    /** The last cause's message ("Connection reset by peer", "Broken pipe"), for one log line. */
    private static String reason(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** Errors Jetty answers by itself (malformed requests, headers too large): JSON like every other error. */
    private static final class JsonErrorHandler extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                                        Throwable cause, Callback callback) throws IOException {
            byte[] body = Json.compact().writeValueAsBytes(Map.of("error", errorText(code, message)));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        private static String errorText(int code, String message) {
            String what = HttpStatus.getMessage(code).toLowerCase(Locale.ROOT);
            return message == null || message.isBlank() || message.equalsIgnoreCase(what) ? what
                    : what + ": " + message;
        }
    }

    static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".html")) return "text/html; charset=utf-8";
        if (n.endsWith(".js") || n.endsWith(".mjs")) return "text/javascript; charset=utf-8";
        if (n.endsWith(".css")) return "text/css; charset=utf-8";
        if (n.endsWith(".json")) return "application/json; charset=utf-8";
        if (n.endsWith(".png")) return "image/png";
        if (n.endsWith(".svg")) return "image/svg+xml";
        if (n.endsWith(".stl")) return "model/stl";
        if (n.endsWith(".txt") || n.endsWith(".md") || !n.contains(".")) return "text/plain; charset=utf-8";
        return "application/octet-stream";
    }

    private static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
