package org.calvaria.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Which request goes where: the Host and Origin checks every request passes first, the routes of the API (answered
 * by {@link CaseHandlers} and {@link JobHandlers}), and the page's static files, from the jar only.
 *
 * <p>Routes (all answers JSON unless a file; errors are {@code {"error": "..."}}):
 * <pre>
 * GET  /                                  the page
 * GET  /static/NAME                       page assets, from the jar (web/NAME)
 * GET  /api/config                        limits, stage names, threshold and manufacturing settings, version
 * GET  /api/cases                         cases opened so far, each with its design jobs
 * POST /api/cases                         body: the file's bytes; header X-File-Name: its name (URL-encoded)
 * GET  /api/cases/ID                      one case
 * GET  /api/cases/ID/view/NAME            the files the viewer loads (slices.nii.gz: downsampled volume; skull.mz3:
 *                                         decimated surface, RAS; or skull.stl for a mesh case)
 * POST /api/cases/ID/design               body: {"threshold": 0.5, "clearanceMm": 0.5, "minThicknessMm": 2,
 *                                         "thicknessMm": null, "mould": true, "fitCheck": true} (all optional);
 *                                         answers 202 with the queued job
 * GET  /api/jobs/ID                       a job's state, stage, settings, figures and file links
 * POST /api/jobs/ID/cancel                cancels a queued or running design (409 once it has ended)
 * GET  /api/jobs/ID/report.html           a printable report of a finished design
 * GET  /api/jobs/ID/files/KIND            implant.stl, implant.nrrd, completed.nrrd, report.json, preview.png,
 *                                         holes.json (rim points, LPS mm), rims.stl (rim markers for the viewer, RAS),
 *                                         implant.mz3, completed.mz3 (decimated view meshes, RAS), thickness.mz3
 *                                         (implant coloured by wall thickness); when the run made them: mould.zip
 *                                         (both halves as STL and the mould's report), mould-outer.stl,
 *                                         mould-inner.stl, mould.3mf (halves and implant), fit-check.stl,
 *                                         implant.3mf (every part), mould-outer.mz3 and mould-inner.mz3 (the halves
 *                                         opened apart along the pull direction, RAS, for the viewer)
 * </pre>
 */
final class Routes {
    private static final String ID = "([a-z][0-9]{1,9}-[0-9a-f]{6})";
    private static final Pattern CASE = Pattern.compile("/api/cases/" + ID);
    private static final Pattern CASE_VIEW = Pattern.compile("/api/cases/" + ID + "/view/([A-Za-z0-9._-]{1,40})");
    private static final Pattern CASE_DESIGN = Pattern.compile("/api/cases/" + ID + "/design");
    private static final Pattern JOB = Pattern.compile("/api/jobs/" + ID);
    private static final Pattern JOB_CANCEL = Pattern.compile("/api/jobs/" + ID + "/cancel");
    private static final Pattern JOB_REPORT = Pattern.compile("/api/jobs/" + ID + "/report.html");
    private static final Pattern JOB_FILE = Pattern.compile("/api/jobs/" + ID + "/files/([A-Za-z0-9._-]{1,40})");
    /** Asset names: plain segments, none starting with a dot, so ".." and hidden files can never be named. */
    private static final Pattern ASSET =
            Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}){0,4}");

    private static final String CSP =
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline';"
                    + " script-src 'self'; connect-src 'self' data: blob:; worker-src 'self' blob:; object-src 'none';"
                    + " frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final CaseStore store;
    private final CaseHandlers cases;
    private final JobHandlers jobs;
    /** Bound to a loopback address: only requests addressed to a loopback name are answered. */
    private final boolean loopbackOnly;

    private final BooleanSupplier stopping;

    Routes(CaseStore store, CaseHandlers cases, JobHandlers jobs, boolean loopbackOnly, BooleanSupplier stopping) {
        this.store = store;
        this.cases = cases;
        this.jobs = jobs;
        this.loopbackOnly = loopbackOnly;
        this.stopping = stopping;
    }

    boolean handle(Request request, Response response, Callback callback) {
        Exchange ex = new Exchange(request, response, callback, stopping);
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
        if (rawPath == null
                || rawPath.contains("%")
                || rawPath.contains("\\")
                || rawPath.contains("//")
                || rawPath.contains("/./")
                || rawPath.contains("/../")
                || rawPath.endsWith("/..")
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
            ex.sendJson(200, cases.configJson());
        } else if (path.equals("/api/cases")) {
            if (method.equals("GET")) {
                ex.sendJson(
                        200,
                        Map.of("cases", store.cases().stream().map(cases::json).toList()));
            } else if (method.equals("POST")) {
                cases.receiveUpload(ex);
            } else {
                throw HttpError.methodNotAllowed(method, "GET, POST");
            }
        } else if ((m = CASE.matcher(path)).matches()) {
            requireMethod(method, "GET");
            ex.sendJson(200, cases.json(store.findCase(m.group(1))));
        } else if ((m = CASE_VIEW.matcher(path)).matches()) {
            requireMethod(method, "GET");
            OpenedCase c = store.findCase(m.group(1));
            Path file = c.viewFile(m.group(2));
            if (file == null) throw HttpError.notFound("case " + c.id + " has no file " + m.group(2));
            ex.sendFile(file, contentType(m.group(2)), null);
        } else if ((m = CASE_DESIGN.matcher(path)).matches()) {
            requireMethod(method, "POST");
            cases.receiveDesign(ex, store.findCase(m.group(1)));
        } else if ((m = JOB.matcher(path)).matches()) {
            requireMethod(method, "GET");
            ex.sendJson(200, jobs.json(store.findJob(m.group(1))));
        } else if ((m = JOB_CANCEL.matcher(path)).matches()) {
            requireMethod(method, "POST");
            jobs.cancel(ex, m.group(1));
        } else if ((m = JOB_REPORT.matcher(path)).matches()) {
            requireMethod(method, "GET");
            jobs.report(ex, m.group(1));
        } else if ((m = JOB_FILE.matcher(path)).matches()) {
            requireMethod(method, "GET");
            jobs.sendFile(ex, store.findJob(m.group(1)), m.group(2));
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
        if (loopbackOnly && host != null) {
            String h = host.toLowerCase(Locale.ROOT).replaceFirst(":[0-9]+$", "");
            boolean loopbackName = h.equals("localhost")
                    || h.endsWith(".localhost")
                    || h.equals("[::1]")
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

    static void setCommonHeaders(HttpFields.Mutable h) {
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
    }

    private static void sendAsset(Exchange ex, String name) throws IOException {
        byte[] bytes;
        try (InputStream in = Routes.class.getResourceAsStream("/web/" + name)) {
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

    static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".html")) return "text/html; charset=utf-8";
        if (n.endsWith(".js") || n.endsWith(".mjs")) return "text/javascript; charset=utf-8";
        if (n.endsWith(".css")) return "text/css; charset=utf-8";
        if (n.endsWith(".json")) return "application/json; charset=utf-8";
        if (n.endsWith(".png")) return "image/png";
        if (n.endsWith(".svg")) return "image/svg+xml";
        if (n.endsWith(".stl")) return "model/stl";
        if (n.endsWith(".3mf")) return "model/3mf";
        if (n.endsWith(".zip")) return "application/zip";
        if (n.endsWith(".txt") || n.endsWith(".md") || !n.contains(".")) return "text/plain; charset=utf-8";
        return "application/octet-stream";
    }
}
