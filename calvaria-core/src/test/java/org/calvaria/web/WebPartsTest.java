package org.calvaria.web;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.calvaria.manufacture.ThreeMf;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.Mz3;
import org.calvaria.mesh.TriangleMesh;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app's manufacturing settings and parts (issue 11, item 7): clearance and thickness reach the design service
 * through the design request, and a run made with "mould" and "fitCheck" offers the mould halves (zip, two STLs, 3MF),
 * the fit-check model, a 3MF of every part, and the halves opened apart for the viewer. Bad settings and unknown
 * file names are refused with one line.
 */
class WebPartsTest {
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
        skullBytes = Files.readAllBytes(DefectiveSkull.write(2.0, shared.resolve("defective-skull.nrrd")));
    }

    private WebServer start() {
        return new WebServer(
                        new FakeDesignService(0),
                        WebServer.Options.defaults().withPort(0).withTempParent(tmp.resolve("server")))
                .start();
    }

    private static HttpResponse<byte[]> send(WebServer s, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.url().resolve(path))
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static String openCase(WebServer s) throws Exception {
        HttpResponse<byte[]> r = CLIENT.send(
                HttpRequest.newBuilder(s.url().resolve("/api/cases"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(skullBytes))
                        .header("X-File-Name", "skull.nrrd")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return json(r).get("id").asText();
    }

    private static JsonNode designAndWait(WebServer s, String caseId, String body) throws Exception {
        HttpResponse<byte[]> r = send(s, "POST", "/api/cases/" + caseId + "/design", body);
        assertEquals(202, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        String jobId = json(r).get("id").asText();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode job = json(send(s, "GET", "/api/jobs/" + jobId, null));
            String state = job.get("state").asText();
            if (state.equals("done") || state.equals("failed")) return job;
            Thread.sleep(50);
        }
        throw new AssertionError("job " + jobId + " did not finish in 120 s");
    }

    @Test
    void configOffersTheManufacturingControls() throws Exception {
        try (WebServer s = start()) {
            JsonNode m = json(send(s, "GET", "/api/config", null)).get("manufacture");
            assertEquals(0.5, m.get("clearanceMm").get("default").asDouble());
            assertEquals(5, m.get("clearanceMm").get("max").asDouble());
            assertEquals(2.0, m.get("minThicknessMm").get("default").asDouble());
            assertTrue(m.get("thicknessMm").get("default").isNull(), "no uniform plate unless asked for");
        }
    }

    @Test
    void settingsReachTheServiceAndThePartsCanBeDownloadedAndViewed() throws Exception {
        try (WebServer s = start()) {
            String caseId = openCase(s);
            JsonNode job = designAndWait(
                    s,
                    caseId,
                    "{\"threshold\": 0.5, \"clearanceMm\": 1.2,"
                            + " \"minThicknessMm\": 3, \"thicknessMm\": 4.5, \"mould\": true, \"fitCheck\": true}");
            assertEquals("done", job.get("state").asText(), job.toString());
            JsonNode settings = job.get("settings");
            assertEquals(1.2, settings.get("clearanceMm").asDouble());
            assertEquals(3, settings.get("minThicknessMm").asDouble());
            assertEquals(4.5, settings.get("thicknessMm").asDouble());
            JsonNode report =
                    json(send(s, "GET", job.get("files").get("report.json").asText(), null));
            assertEquals(settings, report.get("manufacture"), "the service got the settings the page sent");

            JsonNode files = job.get("files");
            for (String kind : PartFiles.DOWNLOADS) assertTrue(files.has(kind), kind + " offered: " + files);
            HttpResponse<byte[]> zip = send(s, "GET", files.get("mould.zip").asText(), null);
            assertEquals(200, zip.statusCode());
            assertEquals(
                    "application/zip", zip.headers().firstValue("Content-Type").orElse(""));
            assertTrue(
                    zip.headers().firstValue("Content-Disposition").orElse("").contains("skull-t0.5-mould.zip"));
            List<String> names = new ArrayList<>();
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    names.add(e.getName());
                    if (e.getName().endsWith(".stl")) assertTrue(TestStl.checkBinary(in.readAllBytes()) > 100);
                }
            }
            assertEquals(List.of("mould/outer.stl", "mould/inner.stl", "mould/report.json"), names);
            for (String kind : List.of("mould-outer.stl", "mould-inner.stl", "fit-check.stl")) {
                HttpResponse<byte[]> r = send(s, "GET", files.get(kind).asText(), null);
                assertEquals(200, r.statusCode(), kind);
                assertEquals("model/stl", r.headers().firstValue("Content-Type").orElse(""));
                int triangles = TestStl.checkBinary(r.body());
                assertTrue(triangles > 20, kind + ": " + triangles + " triangles");
                Path f = tmp.resolve(kind);
                Files.write(f, r.body());
                assertTrue(MeshIO.read(f).isWatertight(), kind + " is a closed solid");
            }
            HttpResponse<byte[]> all = send(s, "GET", files.get("implant.3mf").asText(), null);
            assertEquals("model/3mf", all.headers().firstValue("Content-Type").orElse(""));
            Path threeMf = tmp.resolve("all.3mf");
            Files.write(threeMf, all.body());
            assertEquals(
                    List.of("implant", "fit-check", "mould outer half", "mould inner half"),
                    new ArrayList<>(ThreeMf.read(threeMf).objects().keySet()));

            // The halves opened apart: each view mesh is its half (RAS) moved OPEN_MM along the pull direction.
            JsonNode view = job.get("view");
            Path outerStl = tmp.resolve("outer.stl"), outerView = tmp.resolve("outer.mz3");
            Path innerStl = tmp.resolve("inner.stl"), innerView = tmp.resolve("inner.mz3");
            Files.write(
                    outerStl,
                    send(s, "GET", files.get("mould-outer.stl").asText(), null).body());
            Files.write(
                    innerStl,
                    send(s, "GET", files.get("mould-inner.stl").asText(), null).body());
            Files.write(
                    outerView,
                    send(s, "GET", view.get("mould-outer.mz3").asText(), null).body());
            Files.write(
                    innerView,
                    send(s, "GET", view.get("mould-inner.mz3").asText(), null).body());
            double[] shiftOuter = minus(centre(Mz3.read(outerView).mesh()), ras(centre(MeshIO.read(outerStl))));
            double[] shiftInner = minus(centre(Mz3.read(innerView).mesh()), ras(centre(MeshIO.read(innerStl))));
            assertEquals(PartFiles.OPEN_MM, length(shiftOuter), 1.5, "outer half moved out");
            assertEquals(PartFiles.OPEN_MM, length(shiftInner), 1.5, "inner half moved out");
            double dot = 0;
            for (int k = 0; k < 3; k++) dot += shiftOuter[k] * shiftInner[k];
            assertTrue(dot < -0.9 * PartFiles.OPEN_MM * PartFiles.OPEN_MM, "the halves move apart, opposite ways");
        }
    }

    @Test
    void aRunWithoutPartsOffersNoneAndUnknownNamesAre404() throws Exception {
        try (WebServer s = start()) {
            String caseId = openCase(s);
            JsonNode job = designAndWait(s, caseId, "{\"threshold\": 0.5}");
            assertEquals("done", job.get("state").asText(), job.toString());
            assertFalse(job.get("settings").get("mould").asBoolean(), "no mould unless asked for, as design");
            for (String kind : PartFiles.DOWNLOADS) assertFalse(job.get("files").has(kind), kind);
            String base = "/api/jobs/" + job.get("id").asText() + "/files/";
            HttpResponse<byte[]> none = send(s, "GET", base + "mould.zip", null);
            assertEquals(404, none.statusCode());
            assertEquals(
                    "this design made no mould.zip", json(none).get("error").asText());
            HttpResponse<byte[]> view = send(s, "GET", base + "mould-outer.mz3", null);
            assertEquals(404, view.statusCode());
            // Names the server does not know, or that would reach into the mould folder, are never files.
            for (String name : List.of("outer.stl", "mould", "cavity.stl", "mould.part", "view-mould-outer.mz3")) {
                HttpResponse<byte[]> r = send(s, "GET", base + name, null);
                assertEquals(404, r.statusCode(), name);
                assertTrue(json(r).get("error").asText().startsWith("no file '" + name + "'"), name);
            }
            assertEquals(404, send(s, "GET", base + "mould/outer.stl", null).statusCode());
        }
    }

    @Test
    void badSettingsAreRefusedWithOneLine() throws Exception {
        try (WebServer s = start()) {
            String caseId = openCase(s);
            String path = "/api/cases/" + caseId + "/design";
            String[][] cases = {
                {"{\"clearanceMm\": 7}", "clearance must be 0..5 mm, got 7.0"},
                {"{\"clearanceMm\": -1}", "clearance must be 0..5 mm, got -1.0"},
                {"{\"clearanceMm\": \"wide\"}", "clearanceMm must be a number"},
                {"{\"minThicknessMm\": 11}", "minimum thickness must be 0..10 mm, got 11.0"},
                {"{\"thicknessMm\": 0.5}", "thickness must be 1..15 mm (a cranial plate), got 0.5"},
                {
                    "{\"thicknessMm\": 3, \"minThicknessMm\": 4}",
                    "thickness 3.00 mm cannot meet minimum thickness 4.00 mm; raise thickness or lower minimum thickness"
                },
                {"{\"mould\": \"yes\"}", "mould must be true or false"},
                {"{\"threshold\": 0.5, \"fitCheck\": 1}", "fitCheck must be true or false"},
            };
            for (String[] c : cases) {
                HttpResponse<byte[]> r = send(s, "POST", path, c[0]);
                assertEquals(400, r.statusCode(), c[0]);
                assertEquals(c[1], json(r).get("error").asText(), c[0]);
            }
            JsonNode listed = json(send(s, "GET", "/api/cases/" + caseId, null));
            assertEquals(0, listed.get("jobs").size(), "no job was queued for a refused request");
        }
    }

    /** The middle of the bounding box (decimation keeps the extent, not the mean of the vertices). */
    private static double[] centre(TriangleMesh m) {
        double[] b = m.boundingBox();
        return new double[] {(b[0] + b[3]) / 2, (b[1] + b[4]) / 2, (b[2] + b[5]) / 2};
    }

    private static double[] ras(double[] lps) {
        return new double[] {-lps[0], -lps[1], lps[2]};
    }

    private static double[] minus(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    private static double length(double[] a) {
        return Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    }
}
