package org.calvaria.web;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.calvaria.implant.DesignStage;
import org.calvaria.io.NrrdIO;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP layer of the web app, in-process on a free port, with {@link FakeDesignService}. */
class WebServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path shared;

    static Path skull;
    static byte[] skullBytes;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeSkull() throws IOException {
        skull = DefectiveSkull.write(3.0, shared.resolve("defective-skull.nrrd"));
        skullBytes = Files.readAllBytes(skull);
    }

    private WebServer start(DesignService service, long maxUploadBytes) {
        return new WebServer(
                        service,
                        WebServer.Options.defaults()
                                .withPort(0)
                                .withMaxUploadBytes(maxUploadBytes)
                                .withTempParent(tmp.resolve("server")))
                .start();
    }

    private WebServer start() {
        return start(new FakeDesignService(0), WebServer.DEFAULT_MAX_UPLOAD_BYTES);
    }

    private static HttpResponse<byte[]> send(
            WebServer s, String method, String path, HttpRequest.BodyPublisher body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.url().resolve(path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        if (headers.length > 0) b.headers(headers);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> get(WebServer s, String path) throws Exception {
        return send(s, "GET", path, null);
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        assertTrue(
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                "JSON answer expected, got " + r.headers().firstValue("Content-Type"));
        return JSON.readTree(r.body());
    }

    private static JsonNode upload(WebServer s, byte[] bytes, String name, int expectedStatus) throws Exception {
        HttpResponse<byte[]> r =
                send(s, "POST", "/api/cases", HttpRequest.BodyPublishers.ofByteArray(bytes), "X-File-Name", name);
        assertEquals(expectedStatus, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return json(r);
    }

    private static JsonNode design(WebServer s, String caseId, double threshold) throws Exception {
        HttpResponse<byte[]> r = send(
                s,
                "POST",
                "/api/cases/" + caseId + "/design",
                HttpRequest.BodyPublishers.ofString("{\"threshold\": " + threshold + "}"),
                "Content-Type",
                "application/json");
        assertEquals(202, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return json(r);
    }

    /** Polls the job until it is done or failed (60 s at most). */
    private static JsonNode await(WebServer s, String jobId) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode job = json(get(s, "/api/jobs/" + jobId));
            String state = job.get("state").asText();
            if (state.equals("done") || state.equals("failed")) return job;
            Thread.sleep(50);
        }
        throw new AssertionError("job " + jobId + " did not finish in 60 s");
    }

    /** Sends one exact request line (no client-side normalisation) and returns the status code and body. */
    private static String[] rawGet(WebServer s, String target) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + s.port() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String status = answer.isEmpty() ? "(no answer)" : answer.substring(9, 12);
            return new String[] {status, answer};
        }
    }

    // ------------------------------------------------------------------ the page and its assets

    @Test
    void servesThePageAndTheVendoredViewerFromTheJar() throws Exception {
        try (WebServer s = start()) {
            HttpResponse<byte[]> page = get(s, "/");
            assertEquals(200, page.statusCode());
            String html = new String(page.body(), StandardCharsets.UTF_8);
            assertTrue(html.contains("id=\"design-button\"") && html.contains("/static/app.js"), html);
            assertTrue(page.headers()
                    .firstValue("Content-Security-Policy")
                    .orElse("")
                    .contains("default-src 'self'"));
            assertFalse(html.contains("http://") || html.contains("https://"), "the page loads nothing from outside");

            HttpResponse<byte[]> app = get(s, "/static/app.js");
            assertEquals(200, app.statusCode());
            String js = new String(app.body(), StandardCharsets.UTF_8);
            assertTrue(js.contains("from '/static/vendor/niivue/niivue.js'"), "app imports the vendored bundle");

            HttpResponse<byte[]> niivue = get(s, "/static/vendor/niivue/niivue.js");
            assertEquals(200, niivue.statusCode());
            assertTrue(niivue.body().length > 1_000_000, "the NiiVue bundle is served whole");
            assertEquals(
                    "text/javascript; charset=utf-8",
                    niivue.headers().firstValue("Content-Type").orElse(""));
            String bundle = new String(niivue.body(), StandardCharsets.UTF_8);
            assertFalse(bundle.lines().anyMatch(l -> l.startsWith("import ")), "the bundle imports nothing");
            assertEquals(200, get(s, "/static/vendor/niivue/LICENSE").statusCode());

            JsonNode config = json(get(s, "/api/config"));
            assertEquals(
                    WebServer.DEFAULT_MAX_UPLOAD_BYTES,
                    config.get("maxUploadBytes").asLong());
            assertEquals(
                    List.of("read", "segment", "normalise", "complete", "map back", "implant", "mesh"),
                    JSON.convertValue(config.get("stages"), List.class),
                    "the page gets the stages' labels");
            assertEquals(0.5, config.get("threshold").get("default").asDouble());
        }
    }

    // ------------------------------------------------------------------ the whole round trip

    @Test
    void uploadDesignAndDownloadTheImplant() throws Exception {
        try (WebServer s = start()) {
            JsonNode c = upload(s, skullBytes, "my%20skull.nrrd", 201);
            String caseId = c.get("id").asText();
            assertEquals("my skull.nrrd", c.get("name").asText());
            assertEquals("volume", c.get("kind").asText());
            assertEquals("NRRD", c.get("format").asText());
            assertTrue(c.get("canDesign").asBoolean());
            assertTrue(c.get("binary").asBoolean());
            Volume original = NrrdIO.read(skull);
            assertEquals(original.nx(), c.get("sizes").get(0).asInt());
            assertEquals(original.nz(), c.get("sizes").get(2).asInt());
            assertEquals(3.0, c.get("spacingMm").get(0).asDouble(), 1e-9);

            HttpResponse<byte[]> view = get(s, c.get("viewUrl").asText());
            assertEquals(200, view.statusCode());
            assertTrue(c.get("viewUrl").asText().endsWith("/view/slices.nii.gz"));
            assertEquals(0x1f, view.body()[0] & 0xff, "the viewer's copy is a gzipped NIfTI");

            JsonNode job = design(s, caseId, 0.5);
            assertTrue(List.of("queued", "running").contains(job.get("state").asText()));
            job = await(s, job.get("id").asText());
            assertEquals("done", job.get("state").asText(), job.toString());
            assertEquals(
                    DesignService.STAGES.stream().map(DesignStage::label).toList(),
                    JSON.convertValue(job.get("stagesSeen"), List.class),
                    "every stage the service reported is listed, in order");

            // The figures are the service's, and they match the implant the client downloads.
            HttpResponse<byte[]> nrrd =
                    get(s, job.get("files").get("implant.nrrd").asText());
            assertEquals(200, nrrd.statusCode());
            Path implantFile = tmp.resolve("implant.nrrd");
            Files.write(implantFile, nrrd.body());
            MaskVolume implant = MaskVolume.requireBinary(NrrdIO.read(implantFile), "implant");
            assertTrue(implant.cardinality() > 0);
            double ml = implant.cardinality() * implant.geometry().voxelVolumeMm3() / 1000;
            JsonNode figures = job.get("figures");
            assertEquals(ml, figures.get("implantVolumeMl").asDouble(), 1e-9);
            assertEquals(3, figures.get("boundingBoxMm").size());

            HttpResponse<byte[]> stl =
                    get(s, job.get("files").get("implant.stl").asText());
            assertEquals(200, stl.statusCode());
            assertEquals(
                    "attachment; filename=\"my_skull-t0.5-implant.stl\"",
                    stl.headers().firstValue("Content-Disposition").orElse(""));
            int triangles = TestStl.checkBinary(stl.body());
            assertTrue(triangles > 0);
            assertEquals(84 + 50L * triangles, stl.body().length);

            JsonNode report = JSON.readTree(
                    get(s, job.get("files").get("report.json").asText()).body());
            assertEquals(0.5, report.get("threshold").asDouble());
            assertEquals(implant.cardinality(), report.get("implant_voxels").asLong());
            HttpResponse<byte[]> png =
                    get(s, job.get("files").get("preview.png").asText());
            assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png.body(), 4));
            assertEquals(
                    200, get(s, job.get("files").get("completed.nrrd").asText()).statusCode());

            // A second run with another threshold: a different implant, and both runs stay listed.
            JsonNode second = await(s, design(s, caseId, 0.8).get("id").asText());
            assertEquals("done", second.get("state").asText());
            assertTrue(
                    second.get("figures").get("implantVolumeMl").asDouble() > ml,
                    "the fake's implant grows with the threshold, so the threshold reached the service");
            JsonNode listed = json(get(s, "/api/cases")).get("cases");
            assertEquals(1, listed.size());
            assertEquals(2, listed.get(0).get("jobs").size());
        }
    }

    /** The holes' rim points (LPS mm) and the viewer's rim markers of a finished job; checks both and answers the points. */
    private static JsonNode checkRims(WebServer s, JsonNode job) throws Exception {
        JsonNode holes = JSON.readTree(
                        get(s, job.get("files").get("holes.json").asText()).body())
                .get("holes");
        assertTrue(holes.size() >= 1, holes.toString());
        for (JsonNode h : holes) {
            int n = h.get("rim_mm").size();
            assertTrue(n >= 10 && n <= RimMarks.MAX_POINTS, "rim points: " + n);
            assertEquals(3, h.get("rim_mm").get(0).size());
        }
        HttpResponse<byte[]> stl = get(s, job.get("files").get("rims.stl").asText());
        assertEquals(200, stl.statusCode());
        assertTrue(TestStl.checkBinary(stl.body()) > 0);
        return holes;
    }

    @Test
    void aVertexHoleThatTheImplantClosesGetsAnOkVerdictWithItsRim() throws Exception {
        try (WebServer s = start()) {
            String caseId = upload(s, skullBytes, "vertex.nrrd", 201).get("id").asText();
            JsonNode job = await(s, design(s, caseId, 0.5).get("id").asText());
            assertEquals("done", job.get("state").asText(), job.toString());
            JsonNode v = job.get("verdict");
            assertEquals("ok", v.get("state").asText(), v.toString());
            assertEquals("Defect found and closed", v.get("headline").asText());
            assertEquals("1 hole: vertex", v.get("defect").asText());
            assertTrue(v.get("holes").get(0).get("closedFraction").asDouble() >= Verdict.MIN_CLOSED, v.toString());
            assertEquals(1, v.get("pieces").asInt());
            assertEquals(0, v.get("warnings").size());
            JsonNode holes = checkRims(s, job);
            assertEquals("vertex", holes.get(0).get("region").asText());
            // The rim lies around the top of the skull: every point above the hole's centre height minus its radius.
            double top = holes.get(0).get("centre_mm").get(2).asDouble();
            for (JsonNode p : holes.get(0).get("rim_mm")) {
                assertTrue(p.get(2).asDouble() > top - 2 * DefectiveSkull.HOLE_RADIUS_MM, p.toString());
            }
        }
    }

    @Test
    void aSideHoleThatTheImplantMissesSaysReviewNeeded() throws Exception {
        Path side = DefectiveSkull.writeSideHole(3.0, tmp.resolve("side.nrrd"));
        try (WebServer s = start()) {
            String caseId = upload(s, Files.readAllBytes(side), "side.nrrd", 201)
                    .get("id")
                    .asText();
            JsonNode job = await(s, design(s, caseId, 0.5).get("id").asText());
            assertEquals("done", job.get("state").asText(), job.toString());
            JsonNode v = job.get("verdict");
            assertEquals("review", v.get("state").asText(), v.toString());
            assertEquals("Review needed", v.get("headline").asText());
            assertTrue(v.get("defect").asText().startsWith("1 hole: left"), v.toString());
            assertTrue(v.get("holes").get(0).get("closedFraction").asDouble() < 0.5, v.toString());
            assertTrue(v.get("warnings").get(0).asText().startsWith("the implant closes only"), v.toString());
            assertTrue(v.get("reasons").get(0).asText().contains("left"), v.toString());
            JsonNode holes = checkRims(s, job);
            assertTrue(holes.get(0).get("region").asText().startsWith("left"));
            // the rim is on the left (LPS: x > 0)
            for (JsonNode p : holes.get(0).get("rim_mm")) assertTrue(p.get(0).asDouble() > 0, p.toString());
        }
    }

    @Test
    void aReportWithoutHolesIsReviewNeededAndSaysWhy() throws Exception {
        Map<String, Object> old = Verdict.of(JSON.readTree("{\"implant\": {\"components\": 3}, \"warnings\": []}"));
        assertEquals("review", old.get("state"));
        assertEquals("not checked: this model does not look for holes", old.get("defect"));
        assertEquals(3, old.get("pieces"));
        assertEquals(2, ((List<?>) old.get("reasons")).size(), old.toString());
        Map<String, Object> none = Verdict.of(null);
        assertEquals("review", none.get("state"));
    }

    // ------------------------------------------------------------------ limits and bad requests

    @Test
    void uploadsAboveTheLimitGet413AndLeaveNothingBehind() throws Exception {
        long limit = 64 * 1024;
        try (WebServer s = start(new FakeDesignService(0), limit)) {
            byte[] big = new byte[(int) limit + 1];
            // Declared length over the limit: refused before reading.
            HttpResponse<byte[]> r = send(s, "POST", "/api/cases", HttpRequest.BodyPublishers.ofByteArray(big));
            assertEquals(413, r.statusCode());
            assertTrue(
                    json(r).get("error").asText().contains("larger than this server accepts (64 KB)"),
                    json(r).toString());
            // No declared length (chunked): refused once the stream passes the limit.
            HttpResponse<byte[]> chunked = send(
                    s,
                    "POST",
                    "/api/cases",
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[200 * 1024])));
            assertEquals(413, chunked.statusCode());
            assertTrue(json(chunked).get("error").asText().contains("--max-upload-mb"));
            // Exactly at the limit is fine as far as size goes (the content is then judged: not a volume).
            byte[] atLimit = new byte[(int) limit];
            Arrays.fill(atLimit, (byte) 'x');
            assertEquals(
                    422,
                    send(s, "POST", "/api/cases", HttpRequest.BodyPublishers.ofByteArray(atLimit))
                            .statusCode());
            try (Stream<Path> files = Files.walk(s.workFolder())) {
                assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "refused uploads are removed");
            }
            assertEquals(0, json(get(s, "/api/cases")).get("cases").size());
        }
    }

    @Test
    void badRequestsGetClearStatusesAndMessages() throws Exception {
        try (WebServer s = start()) {
            HttpResponse<byte[]> unknownJob = get(s, "/api/jobs/j42-abcdef");
            assertEquals(404, unknownJob.statusCode());
            assertTrue(json(unknownJob).get("error").asText().contains("no design job 'j42-abcdef'"));
            assertEquals(404, get(s, "/api/jobs/not-an-id").statusCode());
            assertEquals(404, get(s, "/api/cases/c1-000000").statusCode());
            assertEquals(404, get(s, "/api/nothing-here").statusCode());

            HttpResponse<byte[]> delete = send(s, "DELETE", "/api/cases", null);
            assertEquals(405, delete.statusCode());
            assertEquals("GET, POST", delete.headers().firstValue("Allow").orElse(""));
            assertTrue(json(delete).get("error").asText().contains("DELETE"));
            assertEquals(
                    405,
                    send(s, "POST", "/api/config", HttpRequest.BodyPublishers.ofString("{}"))
                            .statusCode());
            assertEquals(
                    405,
                    send(s, "PUT", "/", HttpRequest.BodyPublishers.ofString("x"))
                            .statusCode());

            HttpResponse<byte[]> empty = send(s, "POST", "/api/cases", HttpRequest.BodyPublishers.noBody());
            assertEquals(400, empty.statusCode());
            assertTrue(json(empty).get("error").asText().contains("holds no file"));

            String caseId = upload(s, skullBytes, "s.nrrd", 201).get("id").asText();
            String designPath = "/api/cases/" + caseId + "/design";
            assertEquals(405, get(s, designPath).statusCode());
            HttpResponse<byte[]> noBody = send(s, "POST", designPath, HttpRequest.BodyPublishers.noBody());
            assertEquals(400, noBody.statusCode());
            assertTrue(json(noBody).get("error").asText().contains("{\"threshold\": 0.5}"));
            assertEquals(
                    400,
                    send(s, "POST", designPath, HttpRequest.BodyPublishers.ofString("threshold=0.5"))
                            .statusCode());
            assertEquals(
                    400,
                    send(s, "POST", designPath, HttpRequest.BodyPublishers.ofString("[0.5]"))
                            .statusCode());
            assertEquals(
                    400,
                    send(s, "POST", designPath, HttpRequest.BodyPublishers.ofString("{\"threshold\":\"a\"}"))
                            .statusCode());
            HttpResponse<byte[]> outside =
                    send(s, "POST", designPath, HttpRequest.BodyPublishers.ofString("{\"threshold\": 1.5}"));
            assertEquals(400, outside.statusCode());
            assertEquals(
                    "threshold 1.5 is outside 0.05..0.95",
                    json(outside).get("error").asText());
            assertEquals(0, json(get(s, "/api/cases/" + caseId)).get("jobs").size(), "no job was started");

            // Files of a job that is not done yet: 409, not a half-written file.
            WebServer slow = start(new FakeDesignService(300), WebServer.DEFAULT_MAX_UPLOAD_BYTES);
            try {
                String slowCase =
                        upload(slow, skullBytes, "s.nrrd", 201).get("id").asText();
                String jobId = design(slow, slowCase, 0.5).get("id").asText();
                assertEquals(
                        409,
                        get(slow, "/api/jobs/" + jobId + "/files/implant.stl").statusCode());
                assertEquals(
                        404,
                        get(slow, "/api/jobs/" + jobId + "/files/secret.txt").statusCode());
            } finally {
                slow.stop();
            }
        }
    }

    @Test
    void traversalAttemptsOnStaticFilesAndDownloadsAreRejected() throws Exception {
        try (WebServer s = start()) {
            String caseId = upload(s, skullBytes, "s.nrrd", 201).get("id").asText();
            String jobId = await(s, design(s, caseId, 0.5).get("id").asText())
                    .get("id")
                    .asText();
            List<String> attempts = List.of(
                    "/static/../../etc/passwd",
                    "/static/../../../../../../etc/passwd",
                    "/static/%2e%2e/%2e%2e/etc/passwd",
                    "/static/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
                    "/static/..%2f..%2fetc%2fpasswd",
                    "/static/%252e%252e/%252e%252e/etc/passwd",
                    "/static/..\\..\\etc\\passwd",
                    "/static/vendor/../../../pom.xml",
                    "/static/../calvaria-version.properties",
                    "/static/%2e%2e/calvaria-version.properties",
                    "/static/../org/calvaria/web/WebServer.class",
                    "/static/vendor/niivue/..%2f..%2fapp.js",
                    "/static//etc/passwd",
                    "/static/.hidden",
                    "/static/./app.js",
                    "/static/app.js%00.png",
                    "/../../etc/passwd",
                    "/api/jobs/" + jobId + "/files/../../../etc/passwd",
                    "/api/jobs/" + jobId + "/files/..%2f..%2f..%2fetc%2fpasswd",
                    "/api/jobs/" + jobId + "/files/%2e%2e%2fimplant.stl",
                    "/api/jobs/" + jobId + "/../../cases/" + caseId + "/view/skull.nii.gz",
                    "/api/cases/" + caseId + "/view/../input/input.nrrd",
                    "/api/cases/" + caseId + "/view/input.nrrd",
                    "/api/cases/" + caseId + "/view/..%2finput%2finput.nrrd",
                    "/api/cases/..%2f" + caseId + "/view/skull.nii.gz");
            for (String target : attempts) {
                String[] answer = rawGet(s, target);
                assertTrue(answer[0].equals("404") || answer[0].equals("400"), target + " answered " + answer[0]);
                assertFalse(answer[1].contains("root:"), target);
                assertFalse(answer[1].contains("version="), target + " leaked a class-path file");
                assertFalse(answer[1].contains("NRRD0004"), target + " leaked the input");
            }
            // The legitimate forms of the same requests work.
            assertEquals("200", rawGet(s, "/static/app.js")[0]);
            assertEquals("200", rawGet(s, "/api/jobs/" + jobId + "/files/implant.stl")[0]);
            assertEquals("200", rawGet(s, "/api/cases/" + caseId + "/view/slices.nii.gz")[0]);
            assertEquals("200", rawGet(s, "/api/cases/" + caseId + "/view/skull.mz3")[0]);
        }
    }

    // ------------------------------------------------------------------ bad files

    @Test
    void corruptOrUnsupportedUploadsGetReadableJsonErrors() throws Exception {
        try (WebServer s = start()) {
            byte[] truncated = Arrays.copyOf(skullBytes, skullBytes.length / 2);
            String message =
                    upload(s, truncated, "broken.nrrd", 422).get("error").asText();
            assertTrue(message.contains("'broken.nrrd'"), message);
            assertReadable(message, s);

            String text = upload(s, "just some text\n".repeat(40).getBytes(StandardCharsets.UTF_8), "notes.txt", 422)
                    .get("error")
                    .asText();
            assertTrue(text.contains("'notes.txt' is not a supported volume"), text);
            assertReadable(text, s);

            byte[] fakeZip = "PK\u0003\u0004 this is no real zip".getBytes(StandardCharsets.ISO_8859_1);
            String zip = upload(s, fakeZip, "scan.zip", 422).get("error").asText();
            assertTrue(zip.startsWith("the zip file is damaged"), zip);
            assertReadable(zip, s);

            String noDicom = upload(
                            s,
                            zipOf(List.of("a.txt", "b.txt"), List.of("x".getBytes(), "y".getBytes())),
                            "scan.zip",
                            422)
                    .get("error")
                    .asText();
            assertTrue(noDicom.contains("no DICOM images found"), noDicom);
            assertReadable(noDicom, s);

            assertEquals(0, json(get(s, "/api/cases")).get("cases").size(), "failed uploads are not listed");
            try (Stream<Path> files = Files.walk(s.workFolder())) {
                assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "and leave no files");
            }
        }
    }

    /** A user-facing message: no exception class names, stack frames or temporary paths. */
    private static void assertReadable(String message, WebServer s) {
        assertFalse(message.contains("Exception"), message);
        assertFalse(message.contains("\tat ") || message.contains("at org."), message);
        assertFalse(message.contains(s.workFolder().toString()), message);
        assertFalse(message.contains("calvaria-serve-"), message);
        assertFalse(message.contains("upload.bin"), message);
    }

    private static byte[] zipOf(List<String> names, List<byte[]> contents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < names.size(); i++) {
                zip.putNextEntry(new ZipEntry(names.get(i)));
                zip.write(contents.get(i));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void aZippedDicomFolderOpensAndHostileEntryNamesCannotEscape() throws Exception {
        Path dicom = Path.of("src/test/resources/dicom/implicit");
        List<String> names = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        try (Stream<Path> files = Files.list(dicom)) {
            for (Path f : files.sorted().toList()) {
                // Entry names that would land outside the folder if they were used as paths.
                names.add(names.isEmpty() ? "../../escaped-" + f.getFileName() : "series/sub/" + f.getFileName());
                contents.add(Files.readAllBytes(f));
            }
        }
        names.add("/tmp/absolute-escape.txt");
        contents.add("not a slice".getBytes(StandardCharsets.US_ASCII));
        names.add("__MACOSX/series/._" + "slice_a.dcm");
        contents.add(new byte[] {0, 5, 22, 7});
        try (WebServer s = start()) {
            JsonNode c = upload(s, zipOf(names, contents), "ct.zip", 201);
            assertEquals("volume", c.get("kind").asText());
            assertEquals(
                    "DICOM (zip of " + (names.size() - 1) + " files)",
                    c.get("format").asText(),
                    "every entry but the macOS metadata was unpacked");
            assertFalse(c.get("binary").asBoolean(), "a CT, not a mask");
            assertEquals(200, get(s, c.get("viewUrl").asText()).statusCode());
            assertTrue(c.get("viewUrl").asText().endsWith("/slices.nii"), "CT goes to the viewer uncompressed");
            Path serverTemp = tmp.resolve("server");
            try (Stream<Path> all = Files.walk(serverTemp)) {
                assertEquals(
                        List.of(),
                        all.filter(p -> p.getFileName().toString().contains("escape"))
                                .toList(),
                        "no entry name was used as a path");
            }
            assertFalse(Files.exists(Path.of("/tmp/absolute-escape.txt")));
        }
    }

    @Test
    void anStlSkullIsShownButCannotBeDesigned() throws Exception {
        Path stl = tmp.resolve("skull.stl");
        TestStl.writeSphere(stl, new double[3], 80, 12);
        try (WebServer s = start()) {
            JsonNode c = upload(s, Files.readAllBytes(stl), "skull.stl", 201);
            assertEquals("mesh", c.get("kind").asText());
            assertFalse(c.get("canDesign").asBoolean());
            assertTrue(c.get("note").asText().contains("designing an implant needs a volume"));
            HttpResponse<byte[]> view = get(s, c.get("viewUrl").asText());
            assertArrayEquals(Files.readAllBytes(stl), view.body());
            HttpResponse<byte[]> refused = send(
                    s,
                    "POST",
                    "/api/cases/" + c.get("id").asText() + "/design",
                    HttpRequest.BodyPublishers.ofString("{\"threshold\": 0.5}"));
            assertEquals(409, refused.statusCode());
            assertTrue(json(refused).get("error").asText().contains("needs a volume; open the skull as NRRD"));
        }
    }

    // ------------------------------------------------------------------ jobs

    @Test
    void aFailingDesignIsReportedWithItsMessage() throws Exception {
        try (WebServer s = start(new FakeDesignService(0, "complete"), WebServer.DEFAULT_MAX_UPLOAD_BYTES)) {
            String caseId = upload(s, skullBytes, "s.nrrd", 201).get("id").asText();
            JsonNode job = await(s, design(s, caseId, 0.5).get("id").asText());
            assertEquals("failed", job.get("state").asText());
            assertEquals(
                    "the fake pipeline failed at 'complete' on purpose",
                    job.get("error").asText());
            assertEquals(
                    List.of("read", "segment", "normalise", "complete"),
                    JSON.convertValue(job.get("stagesSeen"), List.class));
            assertFalse(job.has("files"));
        }
        DesignService crashing = (input, out, threshold, stages) -> {
            throw new IllegalStateException("index 7 out of bounds");
        };
        try (WebServer s = start(crashing, WebServer.DEFAULT_MAX_UPLOAD_BYTES)) {
            String caseId = upload(s, skullBytes, "s.nrrd", 201).get("id").asText();
            JsonNode job = await(s, design(s, caseId, 0.5).get("id").asText());
            assertEquals(
                    "the design failed (IllegalStateException: index 7 out of bounds); the server's log has the"
                            + " details",
                    job.get("error").asText());
        }
    }

    @Test
    void aSlowDesignDoesNotBlockThePageAndStopEndsItAndRemovesTheFiles() throws Exception {
        WebServer s = start(new FakeDesignService(2000), WebServer.DEFAULT_MAX_UPLOAD_BYTES);
        Path work = s.workFolder();
        String caseId = upload(s, skullBytes, "s.nrrd", 201).get("id").asText();
        String jobId = design(s, caseId, 0.5).get("id").asText();
        // While the design sleeps in its stages, every other request is answered.
        assertEquals(200, get(s, "/api/config").statusCode());
        assertEquals(200, get(s, "/").statusCode());
        JsonNode second = upload(s, skullBytes, "another.nrrd", 201);
        assertEquals("another.nrrd", second.get("name").asText());
        JsonNode job = json(get(s, "/api/jobs/" + jobId));
        assertEquals("running", job.get("state").asText(), "the design was still running meanwhile");
        // A second design waits its turn.
        JsonNode queued = design(s, second.get("id").asText(), 0.5);
        assertEquals(
                "queued",
                json(get(s, "/api/jobs/" + queued.get("id").asText()))
                        .get("state")
                        .asText());

        assertTrue(Files.isDirectory(work));
        s.stop();
        assertFalse(Files.exists(work), "stop() removes uploads and results");
        assertThrows(IOException.class, () -> get(s, "/api/config"), "the port is closed");
        s.stop(); // twice is harmless
    }

    @Test
    void requestsForOtherHostsOrFromOtherSitesAreRefused() throws Exception {
        try (WebServer s = start()) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
                socket.getOutputStream()
                        .write(("GET /api/config HTTP/1.1\r\nHost: attacker.example:" + s.port()
                                        + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
            }
            HttpResponse<byte[]> crossSite = send(
                    s,
                    "POST",
                    "/api/cases",
                    HttpRequest.BodyPublishers.ofByteArray(skullBytes),
                    "Origin",
                    "http://attacker.example");
            assertEquals(403, crossSite.statusCode());
            assertTrue(json(crossSite).get("error").asText().contains("other web sites"));
            HttpResponse<byte[]> sameSite = send(
                    s,
                    "POST",
                    "/api/cases",
                    HttpRequest.BodyPublishers.ofByteArray(skullBytes),
                    "Origin",
                    "http://127.0.0.1:" + s.port());
            assertEquals(201, sameSite.statusCode());
        }
    }

    @Test
    void uploadNamesAreCleanedAndNeverUsedAsPaths() {
        assertEquals("passwd", CaseStore.cleanName("../../etc/passwd"));
        assertEquals("skull.nrrd", CaseStore.cleanName("C:\\Users\\me\\skull.nrrd"));
        assertEquals("upload", CaseStore.cleanName(".."));
        assertEquals("upload", CaseStore.cleanName(null));
        assertEquals("ab.nrrd", CaseStore.cleanName("a\u0000b.nrrd"));
        assertEquals(120, CaseStore.cleanName("x".repeat(500)).length());
    }

    @Test
    void bindingAPortInUseFailsWithAOneLineMessage() {
        try (WebServer first = start()) {
            WebServer second = new WebServer(
                    new FakeDesignService(0),
                    WebServer.Options.defaults().withPort(first.port()).withTempParent(tmp.resolve("second")));
            org.calvaria.CalvariaException e = assertThrows(org.calvaria.CalvariaException.class, second::start);
            assertTrue(e.getMessage().contains("choose another with --port"), e.getMessage());
            try (Stream<Path> left = Files.list(tmp.resolve("second"))) {
                assertEquals(0, left.count(), "the failed start removed its temporary folder");
            } catch (IOException io) {
                throw new AssertionError(io);
            }
        }
    }
}
