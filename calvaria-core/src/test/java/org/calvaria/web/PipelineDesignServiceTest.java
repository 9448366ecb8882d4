package org.calvaria.web;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.calvaria.complete.CompletionModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web app with the REAL design pipeline and the bundled model (the browser test uses a fast fake). */
class PipelineDesignServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path tmp;

    private static HttpResponse<byte[]> send(
            URI base, String method, String path, HttpRequest.BodyPublisher body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(120))
                .method(method, body);
        if (headers.length > 0) b.headers(headers);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void uploadDesignWithTheRealPipelineAndDownload() throws Exception {
        Path skull = DefectiveSkull.write(1.5, tmp.resolve("defective-skull.nrrd"));
        try (PipelineDesignService service = new PipelineDesignService(CompletionModel.loadDefault(), "bundled");
                WebServer s = new WebServer(
                                service,
                                WebServer.Options.defaults().withPort(0).withTempParent(tmp.resolve("server")))
                        .start()) {
            URI base = s.url();
            HttpResponse<byte[]> up = send(
                    base,
                    "POST",
                    "/api/cases",
                    HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(skull)),
                    "X-File-Name",
                    "skull.nrrd");
            assertEquals(201, up.statusCode(), new String(up.body()));
            String caseId = JSON.readTree(up.body()).get("id").asText();
            HttpResponse<byte[]> started = send(
                    base,
                    "POST",
                    "/api/cases/" + caseId + "/design",
                    HttpRequest.BodyPublishers.ofString(
                            "{\"threshold\": 0.5, \"clearanceMm\": 0.8, \"minThicknessMm\": 2.5,"
                                    + " \"mould\": true, \"fitCheck\": true}"),
                    "Content-Type",
                    "application/json");
            assertEquals(202, started.statusCode(), new String(started.body()));
            String jobId = JSON.readTree(started.body()).get("id").asText();
            JsonNode job = null;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                job = JSON.readTree(send(base, "GET", "/api/jobs/" + jobId, HttpRequest.BodyPublishers.noBody())
                        .body());
                String state = job.get("state").asText();
                if (state.equals("done") || state.equals("failed")) break;
                Thread.sleep(100);
            }
            assertEquals("done", job.get("state").asText(), job.toString());
            List<?> seen = JSON.convertValue(job.get("stagesSeen"), List.class);
            assertTrue(
                    seen.containsAll(List.of("read", "normalise", "complete", "map back", "implant", "mesh")),
                    "stages: " + seen);
            double ml = job.get("figures").get("implantVolumeMl").asDouble();
            assertTrue(ml > 1, "implant volume " + ml + " ml");

            byte[] stl = send(
                            base,
                            "GET",
                            job.get("files").get("implant.stl").asText(),
                            HttpRequest.BodyPublishers.noBody())
                    .body();
            int triangles = TestStl.checkBinary(stl);
            assertTrue(triangles > 100);
            JsonNode report = JSON.readTree(
                    send(base, "GET", job.get("files").get("report.json").asText(), HttpRequest.BodyPublishers.noBody())
                            .body());
            assertEquals(ml, report.get("implant").get("volumeMl").asDouble(), 1e-9);
            assertTrue(report.get("implant").get("watertight").asBoolean());
            assertEquals(
                    0, report.get("implant").get("overlapWithDefectiveVoxels").asLong());
            // The page's settings reached the pipeline as design's options, and the parts were made.
            assertEquals(0.8, report.get("manufacture").get("clearanceMm").asDouble());
            assertEquals(2.5, report.get("manufacture").get("minThicknessMm").asDouble());
            assertEquals(0.8, report.get("clearance").get("clearanceMm").asDouble());
            assertTrue(report.has("mould") && report.has("fitCheck") && report.has("threeMf"), report.toString());
            for (String kind : PartFiles.DOWNLOADS) {
                assertTrue(job.get("files").has(kind), kind);
                assertEquals(
                        200,
                        send(base, "GET", job.get("files").get(kind).asText(), HttpRequest.BodyPublishers.noBody())
                                .statusCode(),
                        kind);
            }
            assertTrue(job.get("view").has("mould-outer.mz3") && job.get("view").has("mould-inner.mz3"));

            // The verdict says what the report says. The bundled model places one grid at the vertex and finds no
            // holes, so nothing checks that the implant closes the defect: review needed, and no rim files.
            JsonNode verdict = job.get("verdict");
            assertEquals(
                    report.get("implant").get("components").asInt(),
                    verdict.get("pieces").asInt());
            if (report.has("holes")) {
                assertEquals(report.get("holes").size(), verdict.get("holes").size());
                assertTrue(job.get("files").has("holes.json"));
                assertTrue(job.get("files").has("rims.stl"));
            } else {
                assertEquals("review", verdict.get("state").asText(), verdict.toString());
                assertEquals(
                        "not checked: this model does not look for holes",
                        verdict.get("defect").asText());
                assertFalse(job.get("files").has("holes.json"));
                assertFalse(job.get("files").has("rims.stl"));
            }
        }
    }
}
