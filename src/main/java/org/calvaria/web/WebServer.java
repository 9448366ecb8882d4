package org.calvaria.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local web app behind {@code calvaria serve}: a page with a 3-D viewer, and a small JSON API to open skulls,
 * run designs and download results.
 *
 * <p>Built on the JDK's own {@code com.sun.net.httpserver} (module jdk.httpserver): it needs no dependency, streams
 * request bodies, and a one-user local tool needs nothing more. HTTP requests run on a small pool; designs run on one
 * separate thread ({@link CaseStore}), so a long design never blocks the page.
 *
 * <p>Endpoints (all answers JSON unless a file; errors are {@code {"error": "..."}}):
 * <pre>
 * GET  /                                  the page
 * GET  /static/NAME                       page assets, from the jar (web/NAME)
 * GET  /api/config                        limits, stage names, threshold setting, version
 * GET  /api/cases                         cases opened so far, each with its design jobs
 * POST /api/cases                         body: the file's bytes; header X-File-Name: its name (URL-encoded)
 * GET  /api/cases/ID                      one case
 * GET  /api/cases/ID/view/NAME            the file the viewer loads (skull.nii, skull.nii.gz or skull.stl)
 * POST /api/cases/ID/design               body: {"threshold": 0.5}; answers 202 with the queued job
 * GET  /api/jobs/ID                       a job's state, stage, figures and file links
 * GET  /api/jobs/ID/files/KIND            implant.stl, implant.nrrd, completed.nrrd, report.json, preview.png
 * </pre>
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** Default upload limit: a 512 x 512 x 500 CT is 250 MB as 16-bit voxels; 1 GB leaves room for DICOM zips. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 30;

    /**
     * A refused upload is still read (and dropped) up to this many bytes before the answer: a server that closes a
     * connection with unread data makes TCP reset it, and the client never sees the 413. Beyond this, it is cut off.
     */
    private static final long UNREAD_BODY_LIMIT = 256L << 20;

    /** Files a finished job offers, by the name used in its URL. */
    static final List<String> FILE_KINDS = List.of("implant.stl", "implant.nrrd", "completed.nrrd", "report.json",
            "preview.png");

    private static final String ID = "([a-z][0-9]{1,9}-[0-9a-f]{6})";
    private static final Pattern CASE = Pattern.compile("/api/cases/" + ID);
    private static final Pattern CASE_VIEW = Pattern.compile("/api/cases/" + ID + "/view/([A-Za-z0-9._-]{1,40})");
    private static final Pattern CASE_DESIGN = Pattern.compile("/api/cases/" + ID + "/design");
    private static final Pattern JOB = Pattern.compile("/api/jobs/" + ID);
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
     */
    public record Options(InetAddress bindAddress, int port, long maxUploadBytes, Path tempParent) {
        public Options {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (port < 0 || port > 65535) throw new CalvariaException("port " + port + " is not a TCP port (0-65535)");
            if (maxUploadBytes <= 0) throw new CalvariaException("the upload limit must be positive");
        }

        /** Loopback, port 8080, 1 GB uploads, system temporary folder. */
        public static Options defaults() {
            return new Options(InetAddress.getLoopbackAddress(), 8080, DEFAULT_MAX_UPLOAD_BYTES, null);
        }

        public Options withPort(int p) {
            return new Options(bindAddress, p, maxUploadBytes, tempParent);
        }

        public Options withBindAddress(InetAddress a) {
            return new Options(a, port, maxUploadBytes, tempParent);
        }

        public Options withMaxUploadBytes(long b) {
            return new Options(bindAddress, port, b, tempParent);
        }

        public Options withTempParent(Path p) {
            return new Options(bindAddress, port, maxUploadBytes, p);
        }
    }

    private final DesignService service;
    private final Options options;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private HttpServer http;
    private ExecutorService httpThreads;
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
        if (http != null) throw new IllegalStateException("already started");
        Path root;
        try {
            root = options.tempParent() == null ? Files.createTempDirectory("calvaria-serve-")
                    : Files.createTempDirectory(Files.createDirectories(options.tempParent()), "calvaria-serve-");
        } catch (IOException e) {
            throw new CalvariaException("cannot create a temporary folder for uploads: " + e.getMessage(), e);
        }
        try {
            http = HttpServer.create(new InetSocketAddress(options.bindAddress(), options.port()), 50);
        } catch (BindException e) {
            CaseStore.deleteRecursively(root);
            throw new CalvariaException("cannot listen on " + hostForUrl(options.bindAddress()) + ":" + options.port()
                    + " (" + e.getMessage() + "); the port is probably in use: choose another with --port", e);
        } catch (IOException e) {
            CaseStore.deleteRecursively(root);
            throw new CalvariaException("cannot start the web server: " + e.getMessage(), e);
        }
        store = new CaseStore(root, service, options.maxUploadBytes());
        AtomicInteger n = new AtomicInteger();
        httpThreads = Executors.newFixedThreadPool(6, r -> {
            Thread t = new Thread(r, "calvaria-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(httpThreads);
        http.createContext("/", this::handle);
        http.start();
        shutdownHook = new Thread(this::stop, "calvaria-serve-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        LOG.debug("serving on {}, files in {}", url(), root);
        return this;
    }

    public int port() {
        requireStarted();
        return http.getAddress().getPort();
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
            if (http == null || stopping) return;
            stopping = true;
        }
        http.stop(0);
        httpThreads.shutdownNow();
        store.close();
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
        if (http == null) throw new IllegalStateException("not started");
    }

    static String hostForUrl(InetAddress a) {
        String h = a.getHostAddress();
        int zone = h.indexOf('%');
        if (zone >= 0) h = h.substring(0, zone);
        return a instanceof Inet6Address ? "[" + h + "]" : h;
    }

    // ------------------------------------------------------------------ routing

    private void handle(HttpExchange ex) {
        try {
            setCommonHeaders(ex.getResponseHeaders());
            checkHostAndOrigin(ex);
            route(ex);
        } catch (HttpError e) {
            sendError(ex, e);
        } catch (Exception | Error e) {
            LOG.warn("request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
            sendError(ex, new HttpError(500, "internal error (" + e.getClass().getSimpleName()
                    + "); the server's log has the details"));
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException, InterruptedException {
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getRawPath();
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
            sendJson(ex, 200, configJson());
        } else if (path.equals("/api/cases")) {
            if (method.equals("GET")) {
                sendJson(ex, 200, Map.of("cases", store.cases().stream().map(this::caseJson).toList()));
            } else if (method.equals("POST")) {
                openCase(ex);
            } else {
                throw HttpError.methodNotAllowed(method, "GET, POST");
            }
        } else if ((m = CASE.matcher(path)).matches()) {
            requireMethod(method, "GET");
            sendJson(ex, 200, caseJson(store.findCase(m.group(1))));
        } else if ((m = CASE_VIEW.matcher(path)).matches()) {
            requireMethod(method, "GET");
            OpenedCase c = store.findCase(m.group(1));
            if (!c.viewName.equals(m.group(2))) throw HttpError.notFound("case " + c.id + " has no file " + m.group(2));
            sendFile(ex, c.viewFile, contentType(c.viewName), null);
        } else if ((m = CASE_DESIGN.matcher(path)).matches()) {
            requireMethod(method, "POST");
            startDesign(ex, store.findCase(m.group(1)));
        } else if ((m = JOB.matcher(path)).matches()) {
            requireMethod(method, "GET");
            sendJson(ex, 200, jobJson(store.findJob(m.group(1))));
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
    private void checkHostAndOrigin(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        if (options.bindAddress().isLoopbackAddress() && host != null) {
            String h = host.toLowerCase(Locale.ROOT).replaceFirst(":[0-9]+$", "");
            boolean loopbackName = h.equals("localhost") || h.endsWith(".localhost") || h.equals("[::1]")
                    || h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
            if (!loopbackName) throw new HttpError(403, "this server answers only requests to localhost");
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && !ex.getRequestMethod().equals("GET")) {
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

    private void openCase(HttpExchange ex) throws IOException, InterruptedException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        String rawName = ex.getRequestHeaders().getFirst("X-File-Name");
        String name = rawName == null ? null : decodeName(rawName);
        try (InputStream body = ex.getRequestBody()) {
            if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    throw HttpError.badRequest("bad Content-Length header");
                }
                if (declared > options.maxUploadBytes()) {
                    // Nothing lands on disk; the body is read and dropped so that the client gets the answer.
                    Uploads.discard(body, UNREAD_BODY_LIMIT);
                    throw new HttpError(413, Uploads.tooLargeMessage(options.maxUploadBytes()));
                }
                if (declared == 0) {
                    throw HttpError.badRequest("the request holds no file; choose a skull file to open");
                }
            }
            OpenedCase c;
            try {
                c = store.open(body, name);
            } catch (HttpError e) {
                if (e.status == 413) Uploads.discard(body, UNREAD_BODY_LIMIT);
                throw e;
            }
            sendJson(ex, 201, caseJson(c));
        }
    }

    private static String decodeName(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    private void startDesign(HttpExchange ex, OpenedCase c) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(64 * 1024 + 1);
        }
        if (body.length > 64 * 1024) throw HttpError.badRequest("the request body is too long");
        if (body.length == 0) throw HttpError.badRequest("the request needs a JSON body like {\"threshold\": 0.5}");
        JsonNode json;
        try {
            json = JSON.readTree(body);
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
        ex.getResponseHeaders().set("Location", "/api/jobs/" + job.id);
        sendJson(ex, 202, jobJson(job));
    }

    private void sendJobFile(HttpExchange ex, DesignJob job, String kind) throws IOException {
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
        sendFile(ex, file, contentType(kind), download);
    }

    private static Path fileOf(DesignOutcome o, String kind) {
        return switch (kind) {
            case "implant.stl" -> o.implantStl();
            case "implant.nrrd" -> o.implantNrrd();
            case "completed.nrrd" -> o.completedSkullNrrd();
            case "report.json" -> o.reportJson();
            case "preview.png" -> o.previewPng();
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
        m.put("canDesign", c.canDesign());
        if (c.sizes != null) {
            m.put("sizes", c.sizes);
            m.put("spacingMm", c.spacingMm);
            m.put("valueRange", c.valueRange);
            m.put("binary", c.binary);
        }
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
            Map<String, String> files = new LinkedHashMap<>();
            for (String kind : FILE_KINDS) {
                if (fileOf(s.outcome(), kind) != null) files.put(kind, "/api/jobs/" + job.id + "/files/" + kind);
            }
            m.put("files", files);
        }
        return m;
    }

    // ------------------------------------------------------------------ responses

    private static void setCommonHeaders(Headers h) {
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cache-Control", "no-store");
    }

    private static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sendError(HttpExchange ex, HttpError e) {
        try {
            if (e.allow != null) ex.getResponseHeaders().set("Allow", e.allow);
            sendJson(ex, e.status, Map.of("error", e.getMessage()));
        } catch (IOException | RuntimeException ignored) {
            // headers were already sent or the client went away: nothing more can be said
        }
    }

    private static void sendAsset(HttpExchange ex, String name) throws IOException {
        try (InputStream in = WebServer.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw HttpError.notFound("no such file: " + name);
            byte[] bytes = in.readAllBytes();
            Headers h = ex.getResponseHeaders();
            h.set("Content-Type", contentType(name));
            h.set("Cache-Control", "no-cache");
            if (name.endsWith(".html")) {
                h.set("Content-Security-Policy", CSP);
                h.set("X-Frame-Options", "DENY");
            }
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void sendFile(HttpExchange ex, Path file, String type, String downloadName) throws IOException {
        if (!Files.isRegularFile(file)) throw HttpError.notFound("the file is gone (the server may be stopping)");
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        if (downloadName != null) h.set("Content-Disposition", "attachment; filename=\"" + downloadName + "\"");
        ex.sendResponseHeaders(200, Files.size(file));
        try (OutputStream out = ex.getResponseBody()) {
            Files.copy(file, out);
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
