package org.calvaria.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.calvaria.complete.CompletionModel;
import org.calvaria.io.VolumeIO;
import org.calvaria.manufacture.Manufacture;
import org.calvaria.pipeline.DesignPipeline;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch commands on local[2] Spark (started once for the class) against the single-machine pipeline, on three
 * SkullFix cases from ../shared/data and one corrupt file. Skips, saying why, when the data is absent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchSparkTest {
    static final List<String> IDS = List.of("000", "001", "002");
    static final String MASTER = "local[2]";

    @TempDir
    static Path tmp;

    static Path skullfix, in, reference;
    static Map<String, MaskVolume> referenceImplants = new HashMap<>();

    @BeforeAll
    static void setUp() throws IOException {
        skullfix = Path.of(System.getProperty("calvaria.shared", "../shared/data"))
                .resolve("skullfix")
                .toAbsolutePath()
                .normalize();
        boolean present = IDS.stream()
                .allMatch(id -> Files.isRegularFile(
                                skullfix.resolve("defective_skull").resolve(id + ".nrrd"))
                        && Files.isRegularFile(skullfix.resolve("implant").resolve(id + ".nrrd")));
        Assumptions.assumeTrue(
                present,
                "SKIPPED: the SkullFix cases " + IDS + " are not in " + skullfix
                        + " (the shared data folder beside the repository, or -Dcalvaria.shared=DIR)");
        in = Files.createDirectories(tmp.resolve("in"));
        for (String id : IDS) {
            Files.createSymbolicLink(
                    in.resolve(id + ".nrrd"),
                    skullfix.resolve("defective_skull").resolve(id + ".nrrd"));
        }
        Files.writeString(
                in.resolve("corrupt.nrrd"),
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 64 64 64\n"
                        + "encoding: raw\n\nnot the 262144 bytes the header promises");
        org.calvaria.Progress.enabled(false);
    }

    /** The single-machine pipeline, as 'calvaria design --nrrd' runs it, with one TensorFlow thread as a task has. */
    static synchronized void makeReference() throws IOException {
        if (reference != null) return;
        reference = Files.createDirectories(tmp.resolve("reference"));
        try (CompletionModel m = CompletionModel.load(CompletionModel.defaultModelFile(), 1)) {
            DesignPipeline p = new DesignPipeline(m, "bundled default model");
            for (String id : IDS) {
                Path dir = Files.createDirectories(reference.resolve(id));
                p.run(
                        in.resolve(id + ".nrrd"),
                        DesignPipeline.Settings.defaults()
                                .withManufacture(new Manufacture.Options(0.5, 2.0, null, null, null, 20)),
                        new DesignPipeline.OutputFiles(
                                dir.resolve("implant.stl"),
                                dir.resolve(id + ".nrrd"),
                                null,
                                dir.resolve("report.json"),
                                null),
                        s -> {});
                referenceImplants.put(id, (MaskVolume) VolumeIO.read(dir.resolve(id + ".nrrd")));
            }
        }
    }

    @AfterAll
    static void stopSpark() {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = SparkMain.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        Run r = new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        out.print(r.out);
        err.print(r.err);
        return r;
    }

    /** results.csv as case id -> column -> value. */
    static Map<String, Map<String, String>> results(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        List<String> header = splitCsv(lines.get(0));
        Map<String, Map<String, String>> rows = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = splitCsv(line);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.size(); i++) row.put(header.get(i), i < cells.size() ? cells.get(i) : "");
            rows.put(row.get("case_id"), row);
        }
        return rows;
    }

    static List<String> splitCsv(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') quoted = false;
                else cur.append(ch);
            } else if (ch == '"') quoted = true;
            else if (ch == ',') {
                cells.add(cur.toString());
                cur.setLength(0);
            } else cur.append(ch);
        }
        cells.add(cur.toString());
        return cells;
    }

    static Set<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    static void assertSameImplant(String id, Path caseFolder) {
        MaskVolume got = (MaskVolume) VolumeIO.read(caseFolder.resolve("implant.nrrd"));
        MaskVolume want = referenceImplants.get(id);
        assertTrue(got.geometry().sameGrid(want.geometry(), 1e-9), id + ": same grid");
        assertTrue(
                got.sameVoxels(want),
                id + ": batch and single-machine implants differ (" + got.cardinality() + " vs " + want.cardinality()
                        + " voxels)");
    }

    @Test
    @Order(1)
    void designEqualsSingleMachineAndCorruptCaseIsAFailedRow() throws IOException {
        makeReference();
        Path out = tmp.resolve("design");
        Run r = run("batch", "design", in.toString(), "-o", out.toString(), "--master", MASTER, "--nrrd");
        assertEquals(0, r.code, "a failed case does not fail the job");
        assertTrue(r.err.contains("warning: 1 of 4 cases failed"), r.err);
        Map<String, Map<String, String>> rows = results(out);
        assertEquals(Set.of("000", "001", "002", "corrupt"), rows.keySet());
        assertEquals("failed", rows.get("corrupt").get("status"));
        assertTrue(
                rows.get("corrupt").get("error").contains("too short"),
                rows.get("corrupt").get("error"));
        assertFalse(rows.get("corrupt").get("error").contains("\n"));
        for (String id : IDS) {
            Map<String, String> row = rows.get(id);
            assertEquals("done", row.get("status"));
            assertSameImplant(id, out.resolve("cases").resolve(id));
            assertEquals(Long.toString(referenceImplants.get(id).cardinality()), row.get("implant_voxels"));
            assertTrue(Double.parseDouble(row.get("seconds_per_stage_complete")) > 0);
            assertEquals(
                    out.resolve("cases").resolve(id).resolve("implant.stl").toString(), row.get("output_implant_stl"));
            assertEquals(
                    Files.size(reference.resolve(id).resolve("implant.stl")),
                    Files.size(out.resolve("cases").resolve(id).resolve("implant.stl")),
                    "same mesh size");
        }
        assertEquals(
                Set.of("batch.json", "implant.nrrd", "implant.stl", "report.json"),
                tree(out.resolve("cases").resolve("000")));
        assertFalse(Files.exists(out.resolve("cases").resolve("corrupt")), "a failed case leaves no folder");
        assertFalse(Files.exists(out.resolve("_temporary")));
        assertTrue(Files.isRegularFile(out.resolve("summary.json")));
        SparkSession spark = SparkSession.active();
        assertEquals(
                4,
                spark.read().parquet(out.resolve("results.parquet").toString()).count());
        assertEquals(
                1,
                spark.read()
                        .parquet(out.resolve("results.parquet").toString())
                        .filter("status = 'failed'")
                        .count());
        // the model file was read once in this JVM, with at most one TensorFlow session per concurrent task
        assertEquals(1, Models.filesParsed());
        assertTrue(Models.sessionsCreated(null, 1) <= 2, "sessions: " + Models.sessionsCreated(null, 1));
    }

    @Test
    @Order(2)
    void resumeSkipsFinishedCases() throws IOException {
        Path out = tmp.resolve("design");
        long before =
                Files.getLastModifiedTime(out.resolve("cases/000/implant.stl")).toMillis();
        Run r = run("batch", "design", in.toString(), "-o", out.toString(), "--master", MASTER, "--nrrd", "--resume");
        assertEquals(0, r.code);
        Map<String, Map<String, String>> rows = results(out);
        for (String id : IDS) {
            assertEquals("done", rows.get(id).get("status"));
            assertEquals("true", rows.get(id).get("resumed"), id + " was redone");
        }
        assertEquals("failed", rows.get("corrupt").get("status"));
        assertEquals(
                before,
                Files.getLastModifiedTime(out.resolve("cases/000/implant.stl")).toMillis());
        assertTrue(r.out.contains("3 kept from an earlier run"), r.out);
    }

    @Test
    @Order(3)
    void failFastExitsOne() throws IOException {
        Path only = Files.createDirectories(tmp.resolve("corrupt-only"));
        Files.copy(in.resolve("corrupt.nrrd"), only.resolve("corrupt.nrrd"));
        Run r = run(
                "batch",
                "design",
                only.toString(),
                "-o",
                tmp.resolve("ff").toString(),
                "--master",
                MASTER,
                "--fail-fast");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("error: case corrupt failed:") && r.err.contains("too short"), r.err);
        Run lenient =
                run("batch", "design", only.toString(), "-o", tmp.resolve("ff2").toString(), "--master", MASTER);
        assertEquals(0, lenient.code);
        assertTrue(lenient.err.contains("warning: 1 of 1 cases failed"), lenient.err);
    }

    @Test
    @Order(4)
    void aTaskKilledMidWriteLeavesOnlyCompleteFiles() throws IOException {
        makeReference();
        Path one = Files.createDirectories(tmp.resolve("one"));
        Files.createSymbolicLink(one.resolve("001.nrrd"), skullfix.resolve("defective_skull/001.nrrd"));
        Path out = tmp.resolve("killed");
        Run r = run(
                "batch",
                "design",
                one.toString(),
                "-o",
                out.toString(),
                "--master",
                MASTER,
                "--nrrd",
                "--simulate-kill");
        assertEquals(0, r.code, r.err);
        Map<String, String> row = results(out).get("001");
        assertEquals("done", row.get("status"));
        assertEquals("1", row.get("task_attempt"), "the second attempt made the case");
        assertEquals(
                Set.of(
                        "cases/001/batch.json",
                        "cases/001/implant.nrrd",
                        "cases/001/implant.stl",
                        "cases/001/report.json",
                        "results.csv",
                        "summary.json"),
                tree(out).stream().filter(p -> !p.startsWith("results.parquet")).collect(Collectors.toSet()));
        assertSameImplant("001", out.resolve("cases/001"));
        assertEquals(
                Files.size(reference.resolve("001/implant.stl")), Files.size(out.resolve("cases/001/implant.stl")));
    }

    @Test
    @Order(5)
    void evaluateEqualsSingleMachineMetricForMetric() throws IOException {
        makeReference();
        Path ds = tmp.resolve("dataset");
        Path pred = Files.createDirectories(tmp.resolve("pred"));
        for (String part : List.of("defective_skull", "implant")) {
            Path dir = Files.createDirectories(ds.resolve(part));
            for (String id : IDS)
                Files.createSymbolicLink(
                        dir.resolve(id + ".nrrd"), skullfix.resolve(part).resolve(id + ".nrrd"));
        }
        for (String id : IDS) Files.copy(reference.resolve(id).resolve(id + ".nrrd"), pred.resolve(id + ".nrrd"));
        Path single = tmp.resolve("eval-single"), batch = tmp.resolve("eval-batch");
        assertEquals(
                0,
                org.calvaria.cli.Main.run(
                        "evaluate",
                        ds.toString(),
                        "--pred",
                        pred.toString(),
                        "--baseline",
                        "empty",
                        "-o",
                        single.toString(),
                        "-q"));
        Run r = run(
                "batch",
                "evaluate",
                ds.toString(),
                "--pred",
                pred.toString(),
                "--baseline",
                "empty",
                "-o",
                batch.toString(),
                "--master",
                MASTER);
        assertEquals(0, r.code, r.err);
        assertEquals(metrics(single), metrics(batch));
        assertEquals(3, results(batch).size());
        for (String f :
                List.of("report.html", "summary.json", "results.csv", "cases/000/pred.json", "cases/000/pred.png")) {
            assertTrue(Files.isRegularFile(batch.resolve(f)), f);
        }
        String html = Files.readString(batch.resolve("report.html"));
        assertTrue(html.contains("000") && html.contains("pred") && html.contains("empty"));
        assertTrue(Files.readString(batch.resolve("summary.json")).contains("\"batch\""));
    }

    /** metrics.csv without the timing rows (predict_seconds differs from run to run). */
    static List<String> metrics(Path out) throws IOException {
        return Files.readAllLines(out.resolve("metrics.csv")).stream()
                .filter(l -> !l.contains("predict_seconds"))
                .toList();
    }

    @Test
    @Order(6)
    void datasetEqualsSingleMachine() throws IOException {
        Path skulls = Files.createDirectories(tmp.resolve("skulls"));
        Files.createSymbolicLink(skulls.resolve("000.nrrd"), skullfix.resolve("complete_skull/000.nrrd"));
        Path single = tmp.resolve("ds-single"), batch = tmp.resolve("ds-batch");
        assertEquals(
                0,
                org.calvaria.cli.Main.run(
                        "dataset", "build", skulls.toString(), "-o", single.toString(), "--per-skull", "2", "-q"));
        Run r = run(
                "batch", "dataset", skulls.toString(), "-o", batch.toString(), "--per-skull", "2", "--master", MASTER);
        assertEquals(0, r.code, r.err);
        Set<String> samples =
                tree(single).stream().filter(p -> p.endsWith(".nrrd")).collect(Collectors.toSet());
        assertEquals(6, samples.size(), samples.toString());
        for (String f : samples) {
            MaskVolume a = (MaskVolume) VolumeIO.read(single.resolve(f)),
                    b = (MaskVolume) VolumeIO.read(batch.resolve(f));
            assertTrue(a.sameVoxels(b) && a.geometry().sameGrid(b.geometry(), 1e-9), f);
        }
        assertTrue(Files.isRegularFile(batch.resolve("manifest.json")));
        assertEquals(
                Files.readString(single.resolve("samples/000_00.json")).replaceAll("\"made_by\".*", ""),
                Files.readString(batch.resolve("samples/000_00.json")).replaceAll("\"made_by\".*", ""));
    }
}
