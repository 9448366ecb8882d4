package org.calvaria.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.calvaria.Json;
import org.calvaria.Provenance;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers about cases: the page's settings, opening an upload (its body written to the case's private folder as
 * it arrives), a case's description, and queueing a design of it with the page's settings ({@link DesignRequest}).
 */
final class CaseHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

    /** The design request's JSON body. */
    private static final int MAX_DESIGN_BODY = 64 * 1024;

    private final CaseStore store;
    private final DesignService service;
    private final JobHandlers jobs;
    private final long maxUploadBytes;
    private final Duration idleTimeout;

    CaseHandlers(CaseStore store, DesignService service, JobHandlers jobs, long maxUploadBytes, Duration idleTimeout) {
        this.store = store;
        this.service = service;
        this.jobs = jobs;
        this.maxUploadBytes = maxUploadBytes;
        this.idleTimeout = idleTimeout;
    }

    Map<String, Object> configJson() {
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
        m.put("maxUploadBytes", maxUploadBytes);
        m.put("maxUploadText", Uploads.describeBytes(maxUploadBytes));
        m.put("stages", DesignService.STAGES);
        m.put("threshold", threshold);
        m.put("manufacture", DesignRequest.settingsForPage());
        return m;
    }

    /**
     * POST /api/cases: the body goes to the case's private folder as it arrives; once whole, the upload is opened on
     * the store's opening thread and answered from there.
     */
    void receiveUpload(Exchange ex) throws IOException {
        String rawName = ex.request.getHeaders().get("X-File-Name");
        String name = CaseStore.cleanName(rawName == null ? null : decodeName(rawName));
        ex.what = "upload of '" + name + "'";
        long declared = ex.request.getLength();
        long max = maxUploadBytes;
        // Nothing lands on disk; the error answer reads and drops the body first (Exchange.sendError).
        if (declared > max) throw new HttpError(413, Uploads.tooLargeMessage(max));
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
        ex.readBody(
                b -> {
                    while (b.hasRemaining()) file.write(b);
                },
                max,
                Exchange.UNREAD_BODY_LIMIT,
                r -> ex.guard(() -> {
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
                    java.util.concurrent.CompletableFuture<?> unused = store.open(upload, r.bytes())
                            .whenComplete((c, failure) -> {
                                if (failure == null) ex.guard(() -> ex.sendJson(201, json(c)));
                                else ex.fail(failure);
                            });
                }));
    }

    /** The answer for a body that did not arrive whole (it is too large, ended early, stalled or its client left). */
    private void bodyFailed(Exchange ex, BodyReader.Result r, long declared, long limit) {
        switch (r.ending()) {
            case TOO_LARGE -> ex.sendError(new HttpError(413, Uploads.tooLargeMessage(limit)));
            case ENDED_EARLY ->
                ex.sendError(HttpError.badRequest("the " + ex.what + " ended after " + r.bytes()
                        + (declared >= 0 ? " of the " + declared + " bytes it announced" : " bytes, before its end")
                        + ": the connection was cut; send it again"));
            case STALLED ->
                ex.sendError(new HttpError(
                        408,
                        "the " + ex.what + " stalled: nothing arrived for " + idleTimeout.toSeconds() + " s after "
                                + r.bytes() + " bytes; send it again"));
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
    void receiveDesign(Exchange ex, OpenedCase c) {
        ex.what = "design request for case " + c.id;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ex.readBody(
                b -> {
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    body.write(bytes, 0, bytes.length);
                },
                MAX_DESIGN_BODY,
                Exchange.UNREAD_BODY_LIMIT,
                r -> ex.guard(() -> {
                    if (r.ending() == BodyReader.Ending.TOO_LARGE)
                        throw HttpError.badRequest("the request body is too long");
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
        DesignRequest request = DesignRequest.parse(json, service.threshold());
        if (!c.canDesign()) {
            throw new HttpError(
                    409,
                    "'" + c.name + "' is a mesh (STL): it can be viewed, but designing an implant"
                            + " needs a volume; open the skull as NRRD, NIfTI or a zipped DICOM folder");
        }
        DesignJob job = store.startDesign(c, request);
        ex.response.getHeaders().put(HttpHeader.LOCATION, "/api/jobs/" + job.id);
        ex.sendJson(202, jobs.json(job));
    }

    Map<String, Object> json(OpenedCase c) {
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
            m.put(
                    "note",
                    "This is a mesh (STL): it can be viewed, but designing an implant needs a volume. Open the"
                            + " skull as NRRD, NIfTI or a zipped DICOM CT folder.");
        }
        m.put("jobs", c.jobs.stream().map(jobs::json).toList());
        return m;
    }
}
