package org.calvaria.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.calvaria.CalvariaException;
import org.calvaria.mesh.Mz3;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workspace (cases and runs kept across restarts), cancelling, the printable report and the view meshes. */
class WebWorkspaceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path shared;

    static byte[] skullBytes;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeSkull() throws IOException {
        skullBytes = Files.readAllBytes(DefectiveSkull.write(3.0, shared.resolve("defective-skull.nrrd")));
    }

    private WebServer start(Path workspace, long delayMs) {
        return new WebServer(
                        new FakeDesignService(delayMs),
                        WebServer.Options.defaults().withPort(0).withWorkspace(workspace))
                .start();
    }

    private static HttpResponse<byte[]> send(WebServer s, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.url().resolve(path))
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static JsonNode upload(WebServer s, String name) throws Exception {
        HttpResponse<byte[]> r = CLIENT.send(
                HttpRequest.newBuilder(s.url().resolve("/api/cases"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(skullBytes))
                        .header("X-File-Name", name)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return json(r);
    }

    private static String design(WebServer s, String caseId) throws Exception {
        return design(s, caseId, "{\"threshold\": 0.5}");
    }

    private static String design(WebServer s, String caseId, String body) throws Exception {
        HttpResponse<byte[]> r =
                send(s, "POST", "/api/cases/" + caseId + "/design", body, "Content-Type", "application/json");
        assertEquals(202, r.statusCode());
        return json(r).get("id").asText();
    }

    private static JsonNode await(WebServer s, String jobId) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode job = json(send(s, "GET", "/api/jobs/" + jobId, null));
            if (!job.get("state").asText().matches("queued|running")) return job;
            Thread.sleep(50);
        }
        throw new AssertionError("job " + jobId + " did not end in 60 s");
    }

    @Test
    void casesAndRunsSurviveARestartWithTheirFilesViewMeshesAndReport() throws Exception {
        Path ws = tmp.resolve("workspace");
        String caseId, jobId;
        try (WebServer s = start(ws, 0)) {
            caseId = upload(s, "patient%20%3Cb%3E42%3Cb%3E.nrrd").get("id").asText();
            jobId = design(s, caseId, "{\"threshold\": 0.5, \"clearanceMm\": 1.5, \"thicknessMm\": 5}");
            JsonNode job = await(s, jobId);
            assertEquals("done", job.get("state").asText(), job.toString());
            assertTrue(job.get("view").has("implant.mz3"), job.toString());
            assertTrue(job.get("view").has("completed.mz3"));
            assertTrue(job.get("view").has("thickness.mz3"), "every run with an implant offers its thickness map");
        }
        assertTrue(Files.isDirectory(ws), "the workspace stays when the server stops");
        try (WebServer s = start(ws, 0)) {
            JsonNode cases = json(send(s, "GET", "/api/cases", null)).get("cases");
            assertEquals(1, cases.size());
            JsonNode c = cases.get(0);
            assertEquals(caseId, c.get("id").asText());
            assertEquals("patient <b>42<b>.nrrd", c.get("name").asText());
            assertEquals("done", c.get("jobs").get(0).get("state").asText());
            assertEquals(200, send(s, "GET", c.get("viewUrl").asText(), null).statusCode());
            HttpResponse<byte[]> skullMesh = send(s, "GET", c.get("meshUrl").asText(), null);
            assertEquals(200, skullMesh.statusCode());
            Path copy = tmp.resolve("skull.mz3");
            Files.write(copy, skullMesh.body());
            assertTrue(Mz3.read(copy).mesh().triangleCount() > 100, "the skull surface reads back as MZ3");
            JsonNode job = json(send(s, "GET", "/api/jobs/" + jobId, null));
            assertEquals(1.5, job.get("settings").get("clearanceMm").asDouble(), "the run's settings are kept");
            assertEquals(5, job.get("settings").get("thicknessMm").asDouble());
            for (String url : new String[] {
                job.get("files").get("implant.stl").asText(),
                job.get("view").get("implant.mz3").asText()
            }) {
                assertEquals(200, send(s, "GET", url, null).statusCode(), url);
            }
            HttpResponse<byte[]> report = send(s, "GET", "/api/jobs/" + jobId + "/report.html", null);
            assertEquals(200, report.statusCode());
            String html = new String(report.body(), StandardCharsets.UTF_8);
            assertTrue(html.contains("patient &lt;b&gt;42&lt;b&gt;.nrrd"), "the case's name, escaped");
            assertFalse(html.contains("<b>42"), "no markup from the file name");
            assertTrue(html.contains("Verdict") && html.contains("data:image/png;base64,"), "verdict and picture");
            assertFalse(html.contains(ws.toString()), "no server paths");
            // a new case continues the numbering instead of reusing an id
            String second = upload(s, "b.nrrd").get("id").asText();
            assertTrue(second.startsWith("c2-"), second);
        }
    }

    /** A zip (stored or deflated) of the given entries. */
    private static byte[] zip(java.util.Map<String, byte[]> entries) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** The test skull split into a detached header (naming {@code dataName}) and its data. */
    private static byte[][] detached(String dataName) {
        String all = new String(skullBytes, StandardCharsets.ISO_8859_1);
        int split = all.indexOf("\n\n") + 2;
        String header = all.substring(0, split - 1) + "data file: " + dataName + "\n\n";
        return new byte[][] {
            header.getBytes(StandardCharsets.ISO_8859_1), all.substring(split).getBytes(StandardCharsets.ISO_8859_1)
        };
    }

    private static HttpResponse<byte[]> uploadBytes(WebServer s, byte[] bytes, String name) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(s.url().resolve("/api/cases"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .header("X-File-Name", name)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aDetachedNrrdHeaderOpensWithItsDataFileAndNothingOutsideTheUpload() throws Exception {
        try (WebServer s = new WebServer(
                        new FakeDesignService(0),
                        WebServer.Options.defaults().withPort(0).withTempParent(tmp.resolve("t")))
                .start()) {
            byte[][] parts = detached("skull.raw");
            var entries = new java.util.LinkedHashMap<String, byte[]>();
            entries.put("case 7/skull.nhdr", parts[0]);
            entries.put("case 7/skull.raw", parts[1]);
            HttpResponse<byte[]> r = uploadBytes(s, zip(entries), "skull.nhdr");
            assertEquals(201, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            JsonNode c = json(r);
            assertTrue(c.get("format").asText().contains("case 7/skull.nhdr"), c.toString());
            assertEquals(200, send(s, "GET", c.get("viewUrl").asText(), null).statusCode());
            // a header naming a file that was not sent, or one outside the upload, is refused with the names
            entries.remove("case 7/skull.raw");
            entries.put("case 7/other.raw", parts[1]);
            r = uploadBytes(s, zip(entries), "skull.nhdr");
            assertEquals(400, r.statusCode());
            String message = json(r).get("error").asText();
            assertTrue(message.contains("'case 7/skull.nhdr'") && message.contains("skull.raw"), message);
            for (String evil : new String[] {"../../../etc/passwd", "/etc/passwd", "LIST"}) {
                entries.put("case 7/skull.nhdr", detached(evil)[0]);
                r = uploadBytes(s, zip(entries), "skull.nhdr");
                assertEquals(400, r.statusCode(), evil);
                assertFalse(new String(r.body(), StandardCharsets.UTF_8).contains("root:"));
            }
        }
    }

    @Test
    void aSecondServerCannotUseTheSameWorkspace() {
        Path ws = tmp.resolve("w");
        try (WebServer s = start(ws, 0)) {
            CalvariaException e = assertThrows(CalvariaException.class, () -> start(ws, 0));
            assertTrue(e.getMessage().contains("workspace"), e.getMessage());
        }
    }

    @Test
    void aRunningDesignCanBeCancelledAndTheNextOneStillRuns() throws Exception {
        Path ws = tmp.resolve("w");
        try (WebServer s = start(ws, 400)) {
            String caseId = upload(s, "s.nrrd").get("id").asText();
            String first = design(s, caseId);
            String second = design(s, caseId);
            Thread.sleep(500);
            HttpResponse<byte[]> r = send(s, "POST", "/api/jobs/" + first + "/cancel", null);
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("cancelled", json(r).get("state").asText());
            assertEquals(
                    409, send(s, "POST", "/api/jobs/" + first + "/cancel", null).statusCode(), "only once");
            assertEquals(
                    405, send(s, "GET", "/api/jobs/" + first + "/cancel", null).statusCode());
            JsonNode next = await(s, second);
            assertEquals("done", next.get("state").asText(), next.toString());
            assertEquals(
                    "cancelled",
                    json(send(s, "GET", "/api/jobs/" + first, null))
                            .get("state")
                            .asText());
            assertEquals(
                    409,
                    send(s, "GET", "/api/jobs/" + first + "/files/implant.stl", null)
                            .statusCode(),
                    "a cancelled design offers no files");
        }
        try (WebServer s = start(ws, 0)) {
            JsonNode jobs =
                    json(send(s, "GET", "/api/cases", null)).get("cases").get(0).get("jobs");
            assertEquals("cancelled", jobs.get(0).get("state").asText());
            assertEquals("done", jobs.get(1).get("state").asText());
        }
    }

    @Test
    void aDesignCutOffByAStopIsListedAsInterrupted() throws Exception {
        Path ws = tmp.resolve("w");
        String jobId;
        try (WebServer s = start(ws, 3000)) {
            String caseId = upload(s, "s.nrrd").get("id").asText();
            jobId = design(s, caseId);
            Thread.sleep(300);
        }
        try (WebServer s = start(ws, 0)) {
            JsonNode job = json(send(s, "GET", "/api/jobs/" + jobId, null));
            assertEquals("failed", job.get("state").asText());
            assertTrue(job.get("error").asText().contains("interrupted"), job.toString());
        }
    }

    @Test
    void tamperedRecordsNamingOtherFilesAreNotLoadedAndOnlyFixedNamesAreServed() throws Exception {
        Path ws = tmp.resolve("w");
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "not for the web");
        String caseId, jobId;
        try (WebServer s = start(ws, 0)) {
            caseId = upload(s, "s.nrrd").get("id").asText();
            jobId = design(s, caseId);
            await(s, jobId);
            // only the fixed view and result names, never the records or anything else in the folders
            for (String p : new String[] {
                "/api/cases/" + caseId + "/view/case.json",
                "/api/cases/" + caseId + "/view/input.nrrd",
                "/api/jobs/" + jobId + "/files/job.json",
                "/api/jobs/" + jobId + "/files/view-implant.mz3",
                "/api/cases/" + caseId + "/view/..%2Fcase.json"
            }) {
                int status = send(s, "GET", p, null).statusCode();
                assertTrue(status == 404 || status == 400, p + " answered " + status);
            }
        }
        Path caseRecord = ws.resolve("cases").resolve(caseId).resolve(Workspace.CASE_RECORD);
        ObjectNode c = (ObjectNode) JSON.readTree(caseRecord.toFile());
        c.put("view", "../../../" + tmp.relativize(secret));
        Files.write(caseRecord, JSON.writeValueAsBytes(c));
        Path jobRecord = ws.resolve("jobs").resolve(jobId).resolve(Workspace.JOB_RECORD);
        try (WebServer s = start(ws, 0)) {
            assertEquals(
                    0,
                    json(send(s, "GET", "/api/cases", null)).get("cases").size(),
                    "a case whose record names a file outside its folder is not listed");
            assertEquals(404, send(s, "GET", "/api/jobs/" + jobId, null).statusCode());
        }
        // the same with a link inside the folder pointing out of it
        c.put("view", "view/slices.nii.gz");
        Files.write(caseRecord, JSON.writeValueAsBytes(c));
        ObjectNode j = (ObjectNode) JSON.readTree(jobRecord.toFile());
        Path link = jobRecord.resolveSibling("evil.stl");
        Files.createSymbolicLink(link, secret);
        ((ObjectNode) j.get("files")).put("implantStl", "evil.stl");
        Files.write(jobRecord, JSON.writeValueAsBytes(j));
        try (WebServer s = start(ws, 0)) {
            JsonNode cases = json(send(s, "GET", "/api/cases", null)).get("cases");
            assertEquals(1, cases.size(), "the case itself is fine again");
            assertEquals(0, cases.get(0).get("jobs").size(), "the run naming a link out of its folder is not");
        }
    }
}
