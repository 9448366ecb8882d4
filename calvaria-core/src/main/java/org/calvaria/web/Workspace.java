package org.calvaria.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.calvaria.Json;
import org.calvaria.files.Outputs;
import org.calvaria.implant.DesignStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cases and runs kept on disk, so that they survive a restart of the server ({@code serve --workspace DIR}). Each
 * case folder holds {@code case.json} and each run folder {@code job.json}, written by the server; every path in them
 * is a fixed name relative to the folder it lies in, and is checked on reading: a file that names anything outside
 * its own folder (or reaches out through a link) is not loaded, so a tampered record cannot make the server hand out
 * other files.
 */
final class Workspace {
    private static final Logger LOG = LoggerFactory.getLogger(Workspace.class);
    static final String CASE_RECORD = "case.json", JOB_RECORD = "job.json";
    static final Pattern ID = Pattern.compile("[a-z][0-9]{1,9}-[0-9a-f]{6}");
    /** A plain file name: no separators, not starting with a dot. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}");

    private Workspace() {}

    // ------------------------------------------------------------------ writing

    static void saveCase(OpenedCase c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id);
        m.put("name", c.name);
        m.put("kind", c.kind.name());
        m.put("format", c.format);
        m.put("uploadBytes", c.uploadBytes);
        m.put("openedAt", c.openedAt.toString());
        m.put("input", c.folder.relativize(c.input).toString().replace('\\', '/'));
        m.put("view", c.folder.relativize(c.viewFile).toString().replace('\\', '/'));
        if (c.sizes != null) {
            m.put("sizes", c.sizes);
            m.put("spacingMm", c.spacingMm);
            m.put("valueRange", c.valueRange);
            m.put("binary", c.binary);
        }
        if (c.identity != null) m.put("identity", c.identity);
        write(c.folder.resolve(CASE_RECORD), m);
    }

    static void saveJob(DesignJob job) {
        DesignJob.Snapshot s = job.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id);
        m.put("caseId", job.forCase.id);
        m.put("threshold", job.threshold);
        m.put("settings", job.request.describe());
        m.put("state", s.state().name());
        m.put("queuedAt", job.queuedAt.toString());
        if (s.startedAt() != null) m.put("startedAt", s.startedAt().toString());
        if (s.finishedAt() != null) m.put("finishedAt", s.finishedAt().toString());
        m.put("stagesSeen", s.stagesSeen());
        if (s.error() != null) m.put("error", s.error());
        DesignOutcome o = s.outcome();
        if (o != null) {
            Map<String, Object> files = new LinkedHashMap<>();
            files.put("implantStl", name(o.implantStl()));
            files.put("implantNrrd", name(o.implantNrrd()));
            files.put("completedSkullNrrd", name(o.completedSkullNrrd()));
            files.put("reportJson", name(o.reportJson()));
            files.put("previewPng", name(o.previewPng()));
            files.put("holesJson", name(o.holesJson()));
            files.put("rimsStl", name(o.rimsStl()));
            m.put("files", files);
            DesignOutcome.Figures f = o.figures();
            m.put(
                    "figures",
                    Map.of(
                            "implantVolumeMl",
                            f.implantVolumeMl(),
                            "surfaceAreaMm2",
                            f.surfaceAreaMm2(),
                            "boundingBoxMm",
                            f.boundingBoxMm(),
                            "seconds",
                            f.seconds()));
        }
        write(job.outputFolder.resolve(JOB_RECORD), m);
    }

    private static String name(Path p) {
        return p == null ? null : p.getFileName().toString();
    }

    private static void write(Path file, Map<String, Object> m) {
        try {
            byte[] bytes = Json.MAPPER.writeValueAsBytes(m);
            Outputs.writeAtomically(file, out -> out.write(bytes));
        } catch (Exception e) {
            LOG.warn("cannot save {}: {}", file, e.toString());
        }
    }

    // ------------------------------------------------------------------ reading

    /** What was loaded from a workspace: cases (with their runs attached) and every run by id. */
    record Loaded(List<OpenedCase> cases, List<DesignJob> jobs, int maxCase, int maxJob) {}

    static Loaded load(Path root) {
        List<OpenedCase> cases = new ArrayList<>();
        List<DesignJob> jobs = new ArrayList<>();
        Map<String, OpenedCase> byId = new LinkedHashMap<>();
        int maxCase = 0, maxJob = 0;
        for (Path folder : folders(root.resolve("cases"))) {
            try {
                OpenedCase c = readCase(folder);
                if (c == null) continue;
                cases.add(c);
                byId.put(c.id, c);
                maxCase = Math.max(maxCase, counter(c.id));
            } catch (Exception e) {
                LOG.warn("workspace: case folder {} not loaded: {}", folder.getFileName(), e.toString());
            }
        }
        for (Path folder : folders(root.resolve("jobs"))) {
            try {
                DesignJob j = readJob(folder, byId);
                if (j == null) continue;
                jobs.add(j);
                maxJob = Math.max(maxJob, counter(j.id));
            } catch (Exception e) {
                LOG.warn("workspace: run folder {} not loaded: {}", folder.getFileName(), e.toString());
            }
        }
        jobs.sort(java.util.Comparator.comparing(j -> j.queuedAt));
        for (DesignJob j : jobs) j.forCase.jobs.add(j);
        return new Loaded(cases, jobs, maxCase, maxJob);
    }

    private static int counter(String id) {
        return Integer.parseInt(id.substring(1, id.indexOf('-')));
    }

    private static List<Path> folders(Path parent) {
        if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> ID.matcher(p.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            LOG.warn("workspace: cannot list {}: {}", parent, e.toString());
            return List.of();
        }
    }

    /** {@code rel} inside {@code folder}, as a real path that stays inside it; null otherwise. */
    static Path inside(Path folder, String rel) throws IOException {
        if (rel == null || rel.isEmpty() || rel.startsWith("/") || rel.contains("\\")) return null;
        for (String part : rel.split("/")) if (!PLAIN_NAME.matcher(part).matches()) return null;
        Path p = folder.resolve(rel).normalize();
        if (!p.startsWith(folder) || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return null;
        Path real = p.toRealPath();
        return real.startsWith(folder.toRealPath()) ? p : null;
    }

    private static OpenedCase readCase(Path folder) throws IOException {
        Path record = folder.resolve(CASE_RECORD);
        if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) return null;
        JsonNode j = Json.MAPPER.readTree(record.toFile());
        String id = j.path("id").asText();
        if (!id.equals(folder.getFileName().toString())) throw new IOException("its record names another case");
        Path input = inside(folder, j.path("input").asText(null));
        Path view = inside(folder, j.path("view").asText(null));
        if (input == null || view == null) throw new IOException("its record names files outside its folder");
        OpenedCase.Kind kind = OpenedCase.Kind.valueOf(j.path("kind").asText());
        int[] sizes = null;
        double[] spacing = null, range = null;
        if (j.has("sizes")) {
            sizes = Json.MAPPER.treeToValue(j.get("sizes"), int[].class);
            spacing = Json.MAPPER.treeToValue(j.get("spacingMm"), double[].class);
            range = Json.MAPPER.treeToValue(j.get("valueRange"), double[].class);
        }
        OpenedCase c = new OpenedCase(
                id,
                CaseStore.cleanName(j.path("name").asText("upload")),
                kind,
                j.path("format").asText(""),
                folder,
                input,
                view,
                j.path("uploadBytes").asLong(),
                sizes,
                spacing,
                range,
                j.path("binary").asBoolean(false));
        c.openedAt = Instant.parse(j.path("openedAt").asText());
        if (j.has("identity") && j.get("identity").isObject()) {
            Map<String, String> identity = new LinkedHashMap<>();
            j.get("identity")
                    .properties()
                    .forEach(e -> identity.put(e.getKey(), e.getValue().asText()));
            c.identity = identity;
        }
        return c;
    }

    private static DesignJob readJob(Path folder, Map<String, OpenedCase> cases) throws IOException {
        Path record = folder.resolve(JOB_RECORD);
        if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) return null;
        JsonNode j = Json.MAPPER.readTree(record.toFile());
        String id = j.path("id").asText();
        if (!id.equals(folder.getFileName().toString())) throw new IOException("its record names another run");
        OpenedCase c = cases.get(j.path("caseId").asText());
        if (c == null) throw new IOException("its case is gone");
        DesignJob job = new DesignJob(
                id, c, DesignRequest.fromRecord(j.path("threshold").asDouble(), j.get("settings")), folder);
        job.queuedAt = Instant.parse(j.path("queuedAt").asText());
        Instant started = j.has("startedAt") ? Instant.parse(j.get("startedAt").asText()) : null;
        Instant finished =
                j.has("finishedAt") ? Instant.parse(j.get("finishedAt").asText()) : null;
        List<DesignStage> stages = new ArrayList<>();
        for (JsonNode s : j.path("stagesSeen")) {
            try {
                stages.add(DesignStage.ofLabel(s.asText()));
            } catch (IllegalArgumentException e) {
                throw new IOException("its record names an unknown stage: " + e.getMessage());
            }
        }
        String state = j.path("state").asText();
        if (state.equals("DONE")) {
            JsonNode f = j.path("files");
            Path stl = inside(folder, f.path("implantStl").asText(null));
            Path nrrd = inside(folder, f.path("implantNrrd").asText(null));
            Path report = inside(folder, f.path("reportJson").asText(null));
            if (stl == null || nrrd == null || report == null) throw new IOException("its files are missing");
            JsonNode g = j.path("figures");
            DesignOutcome.Figures figures = new DesignOutcome.Figures(
                    g.path("implantVolumeMl").asDouble(),
                    g.path("surfaceAreaMm2").asDouble(),
                    Json.MAPPER.treeToValue(g.path("boundingBoxMm"), double[].class),
                    g.path("seconds").asDouble());
            DesignOutcome o = new DesignOutcome(
                    stl,
                    nrrd,
                    inside(folder, f.path("completedSkullNrrd").asText(null)),
                    report,
                    inside(folder, f.path("previewPng").asText(null)),
                    figures,
                    inside(folder, f.path("holesJson").asText(null)),
                    inside(folder, f.path("rimsStl").asText(null)));
            job.restore(DesignJob.State.DONE, stages, null, o, started, finished);
        } else if (state.equals("FAILED") || state.equals("CANCELLED")) {
            job.restore(DesignJob.State.valueOf(state), stages, j.path("error").asText(null), null, started, finished);
        } else {
            // queued or running when the server stopped: it did not finish
            job.restore(
                    DesignJob.State.FAILED,
                    stages,
                    "interrupted: the server stopped before this design finished;" + " design again",
                    null,
                    started,
                    finished != null ? finished : Instant.now());
        }
        return job;
    }
}
