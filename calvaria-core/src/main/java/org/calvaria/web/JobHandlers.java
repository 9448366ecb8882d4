package org.calvaria.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The answers about design jobs: a job's state and figures, cancelling it, its printable report, and its files. The
 * files are the run's own, by fixed names only: the design's outputs ({@link #FILE_KINDS}), the viewer's meshes
 * ({@link ViewFiles#RUN_KINDS}), and the manufacturing parts and the mould's opened-apart view ({@link PartFiles}).
 */
final class JobHandlers {
    /** Files a finished job offers, by the name used in its URL. */
    static final List<String> FILE_KINDS = List.of(
            "implant.stl", "implant.nrrd", "completed.nrrd", "report.json", "preview.png", "holes.json", "rims.stl");

    private final CaseStore store;

    JobHandlers(CaseStore store) {
        this.store = store;
    }

    /** POST /api/jobs/ID/cancel. */
    void cancel(Exchange ex, String id) {
        DesignJob job = store.findJob(id);
        if (!store.cancel(job)) {
            throw new HttpError(
                    409,
                    "design " + job.id + " has already ended ("
                            + job.snapshot().state().name().toLowerCase(Locale.ROOT) + ")");
        }
        ex.sendJson(200, json(job));
    }

    /** GET /api/jobs/ID/report.html: a page of its own, with a strict policy (no scripts, images inline). */
    void report(Exchange ex, String id) {
        DesignJob job = store.findJob(id);
        DesignJob.Snapshot s = job.snapshot();
        if (s.state() != DesignJob.State.DONE) throw new HttpError(409, "design " + job.id + " has no result");
        byte[] html = RunReport.html(job, s.outcome(), job.verdict(s.outcome()), json(job))
                .getBytes(StandardCharsets.UTF_8);
        ex.response
                .getHeaders()
                .put(
                        "Content-Security-Policy",
                        "default-src 'none'; img-src 'self' data:;"
                                + " style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        ex.send(200, "text/html; charset=utf-8", html);
    }

    void sendFile(Exchange ex, DesignJob job, String kind) throws IOException {
        if (ViewFiles.RUN_KINDS.contains(kind)) {
            DesignJob.Snapshot s = job.snapshot();
            Path file = s.state() == DesignJob.State.DONE ? ViewFiles.runFile(job.outputFolder, kind) : null;
            if (file == null) throw HttpError.notFound("this design has no " + kind);
            ex.sendFile(file, Routes.contentType(kind), null);
            return;
        }
        if (PartFiles.VIEWS.contains(kind)) {
            Path file = job.snapshot().state() == DesignJob.State.DONE ? PartFiles.file(job.outputFolder, kind) : null;
            if (file == null) throw HttpError.notFound("this design has no " + kind);
            ex.sendFile(file, Routes.contentType(kind), null);
            return;
        }
        if (!FILE_KINDS.contains(kind) && !PartFiles.DOWNLOADS.contains(kind)) {
            throw HttpError.notFound("no file '" + kind + "'; a job offers " + String.join(", ", FILE_KINDS) + ", "
                    + String.join(", ", PartFiles.DOWNLOADS));
        }
        DesignJob.Snapshot s = job.snapshot();
        if (s.state() != DesignJob.State.DONE) {
            throw new HttpError(
                    409,
                    "design " + job.id + " is " + s.state().name().toLowerCase(Locale.ROOT)
                            + "; its files exist once it is done");
        }
        Path file =
                PartFiles.DOWNLOADS.contains(kind) ? PartFiles.file(job.outputFolder, kind) : fileOf(s.outcome(), kind);
        if (file == null) throw HttpError.notFound("this design made no " + kind);
        String download = job.forCase.safeBaseName() + "-t" + DesignRequest.fmt(job.threshold) + "-" + kind;
        ex.sendFile(file, Routes.contentType(kind), download);
    }

    static Path fileOf(DesignOutcome o, String kind) {
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

    Map<String, Object> json(DesignJob job) {
        DesignJob.Snapshot s = job.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id);
        m.put("caseId", job.forCase.id);
        m.put("caseName", job.forCase.name);
        m.put("threshold", job.threshold);
        m.put("settings", job.request.describe());
        m.put("state", s.state().name().toLowerCase(Locale.ROOT));
        m.put("stage", s.stage());
        m.put("stagesSeen", s.stagesSeen());
        m.put("stages", DesignService.STAGES);
        m.put("queuedAt", job.queuedAt.toString());
        if (s.startedAt() != null) m.put("startedAt", s.startedAt().toString());
        if (s.finishedAt() != null) {
            m.put("finishedAt", s.finishedAt().toString());
            if (s.startedAt() != null) {
                m.put(
                        "elapsedSeconds",
                        Duration.between(s.startedAt(), s.finishedAt()).toMillis() / 1000.0);
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
            // The manufacturing parts (mould, fit check, 3MF of all parts), when the run made them.
            for (String kind : PartFiles.DOWNLOADS) {
                if (PartFiles.file(job.outputFolder, kind) != null)
                    files.put(kind, "/api/jobs/" + job.id + "/files/" + kind);
            }
            m.put("files", files);
            // The viewer's files (decimated meshes, RAS); "thickness.mz3" only when the run made one.
            Map<String, String> view = new LinkedHashMap<>();
            for (String kind : ViewFiles.RUN_KINDS) {
                if (ViewFiles.runFile(job.outputFolder, kind) != null)
                    view.put(kind, "/api/jobs/" + job.id + "/files/" + kind);
            }
            for (String kind : PartFiles.VIEWS) {
                if (PartFiles.file(job.outputFolder, kind) != null)
                    view.put(kind, "/api/jobs/" + job.id + "/files/" + kind);
            }
            m.put("view", view);
        }
        return m;
    }
}
