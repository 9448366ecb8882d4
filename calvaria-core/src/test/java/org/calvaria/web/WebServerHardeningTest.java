package org.calvaria.web;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
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
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.calvaria.CalvariaException;
import org.calvaria.io.NrrdIO;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The web server under hostile or unlucky clients (issue 10): stalled connections, bodies that end early, clients
 * that go away, files that declare more than they hold, zip bombs, headers that point at other files on the machine,
 * and folders the server cannot write to. Each test drives the real server over real sockets.
 */
class WebServerHardeningTest {
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

    private WebServer start(DesignService service) {
        return new WebServer(service, WebServer.Options.defaults().withPort(0).withTempParent(tmp.resolve("server")))
                .start();
    }

    private WebServer start() {
        return start(new FakeDesignService(0));
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

    private static HttpResponse<byte[]> postDesign(WebServer s, String caseId) throws Exception {
        return send(
                s,
                "POST",
                "/api/cases/" + caseId + "/design",
                HttpRequest.BodyPublishers.ofString("{\"threshold\": 0.5}"),
                "Content-Type",
                "application/json");
    }

    private static JsonNode await(WebServer s, String jobId) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode job = json(send(s, "GET", "/api/jobs/" + jobId, null));
            String state = job.get("state").asText();
            if (state.equals("done") || state.equals("failed")) return job;
            Thread.sleep(20);
        }
        throw new AssertionError("job " + jobId + " did not finish in 60 s");
    }

    private static Socket connect(WebServer s) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String head(WebServer s, String requestLineAndHeaders) {
        return requestLineAndHeaders + "\r\nHost: 127.0.0.1:" + s.port() + "\r\n";
    }

    /** Reads the whole answer of a request sent with Connection: close; {status, headers and body}. */
    private static String[] answer(Socket socket) throws IOException {
        String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {all.length() >= 12 ? all.substring(9, 12) : "(no answer)", all};
    }

    private static JsonNode bodyJson(String answer) throws IOException {
        int start = answer.indexOf("\r\n\r\n");
        assertTrue(start > 0, answer);
        return JSON.readTree(answer.substring(start + 4));
    }

    private static List<Path> filesUnder(Path folder) throws IOException {
        if (!Files.exists(folder)) return List.of();
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the test is over
            }
        }
    }

    // ------------------------------------------------------------------ 0. refusals before the body

    /**
     * A request refused on its headers (another site's upload, an unknown path, a wrong method) still gets its answer
     * when its body arrives afterwards: the server reads and drops the body first. Answering at once and closing made
     * TCP reset the connection once the body came, and the client could lose the answer (a flaky CI failure: "header
     * parser received no bytes"). Here the body is sent only after the server has had time to answer.
     */
    @Test
    void aRequestRefusedOnItsHeadersIsAnsweredAfterItsBodyArrives() throws Exception {
        byte[] body = new byte[4 << 20];
        String[][] refusals = {
            {"POST /api/cases HTTP/1.1", "Origin: http://attacker.example\r\n", "403"},
            {"POST /api/nothing-here HTTP/1.1", "", "404"},
            {"PUT /api/cases HTTP/1.1", "", "405"},
        };
        try (WebServer s = start()) {
            for (String[] r : refusals) {
                try (Socket socket = connect(s)) {
                    OutputStream out = socket.getOutputStream();
                    out.write(
                            (head(s, r[0]) + r[1] + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    Thread.sleep(300); // the refusal is decided on the headers, long before the body
                    out.write(body);
                    out.flush();
                    String[] answer = answer(socket);
                    assertEquals(r[2], answer[0], r[0] + ": " + answer[1]);
                    assertTrue(bodyJson(answer[1]).has("error"), answer[1]);
                }
            }
            assertEquals(200, send(s, "GET", "/api/config", null).statusCode(), "the server still answers");
        }
    }

    // ------------------------------------------------------------------ 1. slowloris

    @Test
    void fiftyStalledConnectionsDoNotKeepThePageFromAnswering() throws Exception {
        try (WebServer s = start()) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 25; i++) {
                    Socket headers = connect(s);
                    headers.getOutputStream()
                            .write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + s.port() + "\r\nX-Slow: waiting")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    headers.getOutputStream().flush();
                    stalled.add(headers);
                    Socket body = connect(s);
                    OutputStream out = body.getOutputStream();
                    out.write((head(s, "POST /api/cases HTTP/1.1") + "X-File-Name: slow.nrrd\r\n"
                                    + "Content-Length: 100000000\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(skullBytes, 0, 1000);
                    out.flush();
                    stalled.add(body);
                }
                assertEquals(50, stalled.size());
                Thread.sleep(500); // the server has taken every one of them in by now

                long t0 = System.nanoTime();
                String[] page;
                try (Socket socket = connect(s)) {
                    socket.setSoTimeout(5_000);
                    socket.getOutputStream()
                            .write((head(s, "GET / HTTP/1.1") + "Connection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    page = answer(socket);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        java.util.Locale.ROOT,
                        "[slowloris] the page answered in %.3f s with 50 stalled connections open%n",
                        seconds);
                assertEquals("200", page[0], page[1]);
                assertTrue(page[1].contains("id=\"design-button\""), "the whole page came back");
                assertTrue(seconds < 2.0, "the page took " + seconds + " s");

                // The API and a real upload still work while the stalled connections hang on.
                assertEquals(200, send(s, "GET", "/api/config", null).statusCode());
                assertEquals(
                        "s.nrrd",
                        upload(s, skullBytes, "s.nrrd", 201).get("name").asText());
            } finally {
                closeAll(stalled);
            }
        }
    }

    @Test
    void stalledConnectionsAreClosedAfterTheIdleTimeoutAndLeaveNoFiles() throws Exception {
        try (WebServer s = new WebServer(
                                new FakeDesignService(0),
                                WebServer.Options.defaults()
                                        .withPort(0)
                                        .withTempParent(tmp.resolve("server"))
                                        .withIdleTimeout(Duration.ofMillis(1500)))
                        .start();
                Socket headers = connect(s);
                Socket body = connect(s)) {
            headers.getOutputStream()
                    .write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + s.port() + "\r\nX-Slow: w")
                            .getBytes(StandardCharsets.ISO_8859_1));
            body.getOutputStream()
                    .write((head(s, "POST /api/cases HTTP/1.1") + "X-File-Name: slow.nrrd\r\n"
                                    + "Content-Length: 100000\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            body.getOutputStream().write(skullBytes, 0, 1000);
            long t0 = System.nanoTime();
            String[] stalledBody = answer(body);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds > 1.0 && seconds < 8, "closed after " + seconds + " s");
            assertEquals("408", stalledBody[0], stalledBody[1]);
            assertTrue(bodyJson(stalledBody[1])
                    .get("error")
                    .asText()
                    .startsWith("the upload of 'slow.nrrd' stalled: nothing arrived for 1 s after 1000 bytes"));
            assertEquals(
                    -1,
                    headers.getInputStream().read(),
                    "the half-sent request was dropped: "
                            + new String(headers.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
            assertEquals(List.of(), filesUnder(s.workFolder()), "the stalled upload's file was removed");
        }
    }

    @Test
    void requestsTheServerRefusesByItselfGetJsonErrorsToo() throws Exception {
        try (WebServer s = start()) {
            try (Socket socket = connect(s)) {
                socket.getOutputStream()
                        .write((head(s, "GET / HTTP/1.1") + "X-Big: " + "a".repeat(40_000)
                                        + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                String[] a = answer(socket);
                assertEquals("431", a[0], a[1]);
                assertTrue(a[1].contains("application/json"), a[1]);
                assertFalse(bodyJson(a[1]).get("error").asText().isBlank());
            }
            try (Socket socket = connect(s)) {
                socket.getOutputStream().write("HELLO THERE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String[] a = answer(socket);
                assertEquals("505", a[0], "not HTTP/1: " + a[1]);
                assertTrue(a[1].contains("application/json"), a[1]);
            }
            try (Socket socket = connect(s)) {
                socket.getOutputStream()
                        .write(("POST /api/cases HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "Content-Length: twelve\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                String[] a = answer(socket);
                assertEquals("400", a[0], a[1]);
                assertTrue(a[1].contains("application/json"), a[1]);
            }
        }
    }

    // ------------------------------------------------------------------ 2. huge declared sizes, bounded queue

    /** An NRRD header declaring 1100 x 1100 x 1200 float voxels (5.8 GB) with 32 bytes of data: 384 bytes in all. */
    static byte[] hugeDeclaredNrrd() {
        String header = "NRRD0004\ntype: float\ndimension: 3\nspace: left-posterior-superior\nsizes: 1100 1100 1200\n"
                + "space directions: (1,0,0) (0,1,0) (0,0,1)\nencoding: raw\nendian: little\n"
                + "space origin: (0,0,0)\n";
        int pad = 384 - 32 - 1 - header.length();
        byte[] head = (header + "#" + "x".repeat(pad - 2) + "\n\n").getBytes(StandardCharsets.US_ASCII);
        byte[] file = Arrays.copyOf(head, head.length + 32);
        assertEquals(384, file.length);
        return file;
    }

    private static long allocatedByAllThreads() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : bean.getThreadAllocatedBytes(bean.getAllThreadIds())) if (b > 0) sum += b;
        return sum;
    }

    @Test
    void aFileDeclaringAHugeVolumeIsRefusedWithoutAllocatingAndLaterUploadsWork() throws Exception {
        try (WebServer s = start()) {
            long before = allocatedByAllThreads();
            String message =
                    upload(s, hugeDeclaredNrrd(), "tiny.nrrd", 422).get("error").asText();
            long allocated = allocatedByAllThreads() - before;
            assertTrue(message.contains("'tiny.nrrd' declares 1100 x 1100 x 1200 float voxels"), message);
            assertTrue(allocated < 256L << 20, "refusing it allocated " + (allocated >> 20) + " MB");
            assertEquals(List.of(), filesUnder(s.workFolder()));

            // A normal upload and design work afterwards, as often as one likes.
            for (int i = 0; i < 3; i++) {
                upload(s, hugeDeclaredNrrd(), "tiny.nrrd", 422);
                String caseId = upload(s, skullBytes, "s.nrrd", 201).get("id").asText();
                HttpResponse<byte[]> job = postDesign(s, caseId);
                assertEquals(202, job.statusCode());
                assertEquals(
                        "done",
                        await(s, json(job).get("id").asText()).get("state").asText());
            }
        }
    }

    /** A gzipped NIfTI-1 whose header declares 2000 x 2000 x 300 float voxels: a few hundred bytes in all. */
    static byte[] hugeDeclaredNiftiGz() throws IOException {
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(352 + 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, 348);
        short[] dim = {3, 2000, 2000, 300, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) h.putShort(40 + 2 * i, dim[i]);
        h.putShort(70, (short) 16).putShort(72, (short) 32);
        for (int i = 0; i < 4; i++) h.putFloat(76 + 4 * i, 1f);
        h.putFloat(108, 352f);
        h.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(h.array());
        }
        return bytes.toByteArray();
    }

    @Test
    void aCompressedFileDeclaringMoreThanItCanHoldAndAVolumeBeyondTheMemoryBudgetAreRefused() throws Exception {
        byte[] nii = hugeDeclaredNiftiGz();
        assertTrue(nii.length < 400, "the file is tiny: " + nii.length);
        try (WebServer s = start()) {
            String message = upload(s, nii, "tiny.nii.gz", 422).get("error").asText();
            assertTrue(
                    message.startsWith(
                            "'tiny.nii.gz' declares 2000 x 2000 x 300 float voxels (4.5 GB) but holds" + " only"),
                    message);
            assertTrue(message.contains("compressed data, which cannot unpack to that much"), message);
            assertEquals(List.of(), filesUnder(s.workFolder()));
        }
        // A consistent file that needs more memory than the server may spend on it.
        Path skull = shared.resolve("defective-skull.nrrd");
        HttpError e = assertThrows(HttpError.class, () -> UploadCheck.check(skull, "skull.nrrd", 1000));
        assertEquals(413, e.status);
        assertTrue(e.getMessage().contains("of memory to open; this server can spend 1000 bytes"), e.getMessage());
        UploadCheck.check(skull, "skull.nrrd", UploadCheck.defaultMemoryBudget()); // and within it, it passes
    }

    @Test
    void theDesignQueueIsBoundedAndFailuresReleaseTheirPlace() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DesignService stuck = (input, out, threshold, stages) -> {
            release.await();
            throw new CalvariaException("failed on purpose");
        };
        try (WebServer s = start(stuck)) {
            String caseId = upload(s, skullBytes, "s.nrrd", 201).get("id").asText();
            List<String> jobs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                HttpResponse<byte[]> r = postDesign(s, caseId);
                assertEquals(202, r.statusCode(), "design " + (i + 1));
                jobs.add(json(r).get("id").asText());
            }
            HttpResponse<byte[]> full = postDesign(s, caseId);
            assertEquals(503, full.statusCode(), "the 11th design is refused while 10 wait or run");
            String message = json(full).get("error").asText();
            assertTrue(message.contains("10 designs are already waiting or running"), message);
            // Uploads are not held up by the full queue.
            upload(s, skullBytes, "another.nrrd", 201);

            release.countDown();
            for (String job : jobs)
                assertEquals("failed", await(s, job).get("state").asText());
            for (int i = 0; i < 10; i++) assertEquals(202, postDesign(s, caseId).statusCode(), "failures freed it");
        }
    }

    // ------------------------------------------------------------------ 3. a body shorter than announced

    @Test
    void aBodyShorterThanItsContentLengthGets400WithAReadableMessage() throws Exception {
        try (WebServer s = start();
                Socket socket = connect(s)) {
            OutputStream out = socket.getOutputStream();
            out.write((head(s, "POST /api/cases HTTP/1.1") + "X-File-Name: short.nrrd\r\nContent-Length: 5000\r\n"
                            + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(skullBytes, 0, 1000);
            out.flush();
            socket.shutdownOutput();
            String[] a = answer(socket);
            assertEquals("400", a[0], a[1]);
            String message = bodyJson(a[1]).get("error").asText();
            assertTrue(message.contains("ended after 1000 of the 5000 bytes"), message);
            assertEquals(List.of(), filesUnder(s.workFolder()), "the partial upload was removed");
            assertEquals(
                    0, json(send(s, "GET", "/api/cases", null)).get("cases").size());
        }
    }

    // ------------------------------------------------------------------ 4. clients that go away

    @Test
    void aClientThatGoesAwayIsLoggedOnOneLine() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        // the lines are INFO: a --quiet command run earlier in this JVM (CLI tests) leaves the root logger at WARN
        Level before = root.getLevel();
        root.setLevel(Level.INFO);
        try (WebServer s = start()) {
            // A CT-like volume whose view file (uncompressed NIfTI, 14 MB, small enough not to be downsampled) is far
            // larger than any socket buffer: air, with a block of bone in the middle.
            int n = 192, nz = 192;
            short[] voxels = new short[n * n * nz];
            java.util.Arrays.fill(voxels, (short) -1000);
            for (int z = 90; z < 100; z++)
                for (int y = 90; y < 100; y++)
                    for (int x = 90; x < 100; x++) {
                        voxels[x + n * (y + n * z)] = 1000;
                    }
            Path ct = tmp.resolve("ct.nrrd");
            NrrdIO.write(new ShortVolume(Geometry.axisAligned(n, n, nz, 1.0), voxels, VoxelType.INT16), ct);
            JsonNode c = upload(s, Files.readAllBytes(ct), "ct.nrrd", 201);
            String view = c.get("viewUrl").asText();
            assertTrue(view.endsWith("/slices.nii"), view);

            // A download cut off after its first bytes, and an upload cut off in the middle.
            try (Socket socket = connect(s)) {
                socket.getOutputStream()
                        .write((head(s, "GET " + view + " HTTP/1.1") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertEquals(100, socket.getInputStream().readNBytes(100).length);
                socket.setSoLinger(true, 0); // close with a reset, as a killed browser tab does
            }
            try (Socket socket = connect(s)) {
                OutputStream out = socket.getOutputStream();
                out.write((head(s, "POST /api/cases HTTP/1.1") + "X-File-Name: cut.nrrd\r\n"
                                + "Content-Length: 10000000\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[100_000]);
                out.flush();
                Thread.sleep(200);
                socket.setSoLinger(true, 0);
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && countMentions(log, view, "cut.nrrd") < 2) Thread.sleep(20);
            Thread.sleep(300); // anything else the server would write about it
            List<ILoggingEvent> events = List.copyOf(log.list);
            for (ILoggingEvent e : events) {
                assertNull(
                        e.getThrowableProxy(), "no stack trace: " + e.getLoggerName() + " " + e.getFormattedMessage());
                assertFalse(e.getFormattedMessage().contains("\n"), e.getFormattedMessage());
            }
            assertEquals(
                    1,
                    events.stream()
                            .filter(e -> e.getFormattedMessage().contains(view))
                            .count(),
                    "one line for the cut-off download: " + messages(events));
            assertEquals(
                    1,
                    events.stream()
                            .filter(e -> e.getFormattedMessage().contains("cut.nrrd"))
                            .count(),
                    "one line for the cut-off upload: " + messages(events));
            assertEquals(
                    List.of(),
                    filesUnder(s.workFolder()).stream()
                            .filter(p -> !p.startsWith(s.workFolder()
                                    .resolve("cases")
                                    .resolve(c.get("id").asText())))
                            .toList(),
                    "the cut-off upload left no file");
        } finally {
            root.detachAppender(log);
            root.setLevel(before);
        }
    }

    private static long countMentions(ListAppender<ILoggingEvent> log, String... needles) {
        return List.copyOf(log.list).stream()
                .filter(e -> {
                    for (String n : needles) if (e.getFormattedMessage().contains(n)) return true;
                    return false;
                })
                .count();
    }

    private static List<String> messages(List<ILoggingEvent> events) {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    // ------------------------------------------------------------------ 5. zip bombs and nested headers

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
    void aZipBombIsStoppedEarlyAndLeavesNothingBehind() throws Exception {
        byte[] bomb = zipOf(List.of("slice.dcm"), List.of(new byte[100 << 20]));
        assertTrue(bomb.length < 200_000, "100 MB of zeros zip to " + bomb.length + " bytes");
        try (WebServer s = start()) {
            String message = upload(s, bomb, "bomb.zip", 422).get("error").asText();
            assertTrue(message.startsWith("the zip unpacks to more than "), message);
            assertTrue(message.contains("times its own size"), message);
            assertEquals(List.of(), filesUnder(s.workFolder()));
            upload(s, skullBytes, "s.nrrd", 201);
        }
    }

    @Test
    void aZipWithHeadersPointingOutsideItIsRefused() throws Exception {
        try (WebServer s = start()) {
            for (String target : List.of("/etc/passwd", "../../../../../../etc/passwd", "sub/../../x.raw")) {
                String nhdr = "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 8 8 1\nencoding: raw\ndata file: " + target
                        + "\n\n";
                byte[] zip = zipOf(
                        List.of("series/skull.nhdr", "series/notes.txt"),
                        List.of(nhdr.getBytes(StandardCharsets.US_ASCII), "x".getBytes(StandardCharsets.US_ASCII)));
                HttpResponse<byte[]> r = send(
                        s,
                        "POST",
                        "/api/cases",
                        HttpRequest.BodyPublishers.ofByteArray(zip),
                        "X-File-Name",
                        "headers.zip");
                assertEquals(400, r.statusCode(), target + ": " + new String(r.body(), StandardCharsets.UTF_8));
                String message = json(r).get("error").asText();
                assertTrue(message.contains("outside the upload"), message);
                assertTrue(message.contains(target), "the message names what was refused: " + message);
            }
            assertEquals(List.of(), filesUnder(s.workFolder()));
        }
    }

    // ------------------------------------------------------------------ 6. headers naming files on the machine

    @Test
    void anUploadedHeaderCannotReadOtherFilesOfTheMachine() throws Exception {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "root:x:0:0:the-secret-of-this-machine-".repeat(8));
        List<String> headers = List.of(
                "data file: " + secret,
                "data file: /etc/passwd",
                "data file: ../../../../../../../../.." + secret,
                "Data File: " + secret,
                "datafile: " + secret,
                "data file: ../input/input.nrrd");
        try (WebServer s = start()) {
            for (String line : headers) {
                String nrrd = "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 8 8 1\nspacings: 1 1 1\nencoding: raw\n"
                        + line + "\n\n";
                HttpResponse<byte[]> r = send(
                        s, "POST", "/api/cases", HttpRequest.BodyPublishers.ofString(nrrd), "X-File-Name", "evil.nrrd");
                String body = new String(r.body(), StandardCharsets.UTF_8);
                if (r.statusCode() == 201) {
                    // Had it been opened, this is what anyone could fetch:
                    byte[] view = send(s, "GET", json(r).get("viewUrl").asText(), null)
                            .body();
                    fail(line + " was opened; its view file holds: "
                            + new String(view, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "."));
                }
                assertEquals(400, r.statusCode(), line + ": " + body);
                String message = json(r).get("error").asText();
                assertTrue(message.contains("'evil.nrrd' names a separate data file"), message);
                assertTrue(message.contains("outside the upload"), message);
                assertFalse(body.contains("the-secret"), body);
            }
            assertEquals(
                    0, json(send(s, "GET", "/api/cases", null)).get("cases").size());
            assertEquals(List.of(), filesUnder(s.workFolder()));
        }
    }

    // ------------------------------------------------------------------ 7. folders the server cannot write to

    @Test
    void aTemporaryFolderThatCannotBeMadeIsReportedWithTheReasonAndWhatToDo() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        for (Path parent : List.of(file, file.resolve("sub"))) {
            WebServer server = new WebServer(
                    new FakeDesignService(0),
                    WebServer.Options.defaults().withPort(0).withTempParent(parent));
            CalvariaException e = assertThrows(CalvariaException.class, server::start);
            String m = e.getMessage();
            assertTrue(m.contains("cannot create a temporary folder for uploads in " + parent), m);
            assertTrue(m.contains("is a file, not a folder") || m.contains("not a folder"), m);
            assertTrue(m.contains("--temp-dir"), "says what to do: " + m);
        }
    }

    @Test
    void aTemporaryFolderWithoutWritePermissionIsReportedAsSuch() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                "root".equals(System.getProperty("user.name")),
                "root may write anywhere, so permissions cannot be tested as root");
        Path locked = Files.createDirectories(tmp.resolve("locked"));
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            WebServer server = new WebServer(
                    new FakeDesignService(0),
                    WebServer.Options.defaults().withPort(0).withTempParent(locked));
            String m = assertThrows(CalvariaException.class, server::start).getMessage();
            assertTrue(
                    m.contains("in " + locked + ": permission denied; choose a folder this user can write to with"
                            + " --temp-dir"),
                    m);
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void reasonsOfFolderFailuresAreSaidInWords() {
        assertEquals("permission denied", Folders.reason(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("it is a file, not a folder", Folders.reason(new java.nio.file.FileAlreadyExistsException("/x")));
        assertEquals("it does not exist", Folders.reason(new java.nio.file.NoSuchFileException("/x")));
        assertEquals(
                "the disk is full",
                Folders.reason(new java.nio.file.FileSystemException("/x", null, "No space left on device")));
        assertEquals(
                "the disk is read-only",
                Folders.reason(new java.nio.file.FileSystemException("/x", null, "Read-only file system")));
        assertEquals(
                "a part of its path is a file, not a folder",
                Folders.reason(new java.nio.file.FileSystemException("/x/y", null, "Not a directory")));
    }

    @Test
    void aWorkFolderThatCannotBeWrittenGivesTheReasonAndWhatToDo() throws Exception {
        try (WebServer s = start()) {
            // The folder for cases is taken by a file (as root, permissions cannot be used to test this).
            CaseStore.deleteRecursively(s.workFolder().resolve("cases"));
            Files.writeString(s.workFolder().resolve("cases"), "in the way");
            HttpResponse<byte[]> r = send(
                    s,
                    "POST",
                    "/api/cases",
                    HttpRequest.BodyPublishers.ofByteArray(skullBytes),
                    "X-File-Name",
                    "s.nrrd");
            assertEquals(500, r.statusCode());
            String message = json(r).get("error").asText();
            assertTrue(message.startsWith("the server cannot write to its temporary folder ("), message);
            assertTrue(message.contains("not a folder"), "the reason: " + message);
            assertTrue(message.contains("--temp-dir"), "what to do: " + message);
        }
    }
}
