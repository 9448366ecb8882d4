package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calvaria.Progress;
import org.calvaria.cli.Main;
import org.calvaria.io.NrrdIO;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.ShortVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate command end to end on a small synthetic dataset: outputs, resume, bad input. */
class EvaluateCommandTest {
    static final Geometry GRID = Geometry.axisAligned(84, 102, 52, 2.0, 2.0, 2.5, new double[] {-83, -101, -36});
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path dataset, predictions;
    static MaskVolume skull;

    /** Cases l1, l2: defects on the left side; t1: on top across the midline. */
    @BeforeAll
    static void makeDataset() throws IOException {
        Progress.enabled(false);
        skull = MirrorBaselineTest.symmetricSkull(GRID, 0, 0);
        dataset = tmp.resolve("data");
        predictions = tmp.resolve("preds");
        Files.createDirectories(dataset.resolve("defective_skull"));
        Files.createDirectories(dataset.resolve("implant"));
        Files.createDirectories(predictions);
        Map<String, double[]> centres = Map.of(
                "l1", new double[] {45, -10, 48}, "l2", new double[] {50, 20, 40}, "t1", new double[] {0, -10, 72});
        for (Map.Entry<String, double[]> e : centres.entrySet()) {
            MaskVolume truth = skull.copy().and(MirrorBaselineTest.ball(GRID, e.getValue(), 22));
            NrrdIO.write(truth, dataset.resolve("implant/" + e.getKey() + ".nrrd"));
            NrrdIO.write(skull.copy().andNot(truth), dataset.resolve("defective_skull/" + e.getKey() + ".nrrd"));
        }
        Files.writeString(
                dataset.resolve("manifest.json"),
                "{\"cases\": [{\"id\": \"l1\", \"defect_type\": \"side\"},"
                        + " {\"id\": \"l2\", \"defect_type\": \"side\"}, {\"id\": \"t1\", \"defect_type\": \"top\"}]}");
        // Predictions: l1 perfect, l2 empty, t1 the truth on a finer, shifted grid (resampled back by the evaluator).
        Files.copy(dataset.resolve("implant/l1.nrrd"), predictions.resolve("l1.nrrd"));
        NrrdIO.write(new MaskVolume(GRID), predictions.resolve("l2.nrrd"));
        MaskVolume t1 = (MaskVolume) NrrdIO.read(dataset.resolve("implant/t1.nrrd"));
        Geometry fine = Geometry.axisAligned(168, 204, 104, 1.0, 1.0, 1.25, new double[] {-83.5, -101.5, -36.6});
        NrrdIO.write(Resampler.nearest(t1, fine, 0), predictions.resolve("t1.nrrd"));
    }

    static int run(StringWriter err, String... args) {
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void writesReportFilesThatParseAndResumes() throws IOException {
        Path out = tmp.resolve("out");
        StringWriter err = new StringWriter();
        int code = run(
                err,
                "evaluate",
                dataset.toString(),
                "--pred",
                predictions.toString(),
                "--baseline",
                "mirror,empty,hull",
                "-o",
                out.toString(),
                "--threads",
                "2",
                "-q");
        assertEquals(0, code, err.toString());

        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("case,method,metric,value", rows.get(0));
        assertEquals(1 + 3 * 4 * 11, rows.size());
        assertTrue(rows.contains("l1,preds,dice,1"), "perfect prediction has Dice 1");
        assertTrue(rows.contains("l1,preds,hd95_mm,0"));
        assertTrue(rows.contains("l1,preds,error_rate_pct,0"));
        assertTrue(rows.contains("l2,preds,dice,0"));
        assertTrue(rows.contains("l2,preds,hd95_mm,NaN"), "empty prediction: HD95 undefined");
        assertTrue(rows.contains("l2,empty,error_rate_pct,100"));

        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        for (String m : List.of("preds", "mirror", "empty", "hull")) {
            JsonNode dice = summary.path("methods").path(m).path("dice");
            for (String f : List.of("mean", "median", "std", "p5", "p95", "n")) assertTrue(dice.has(f), m + " " + f);
            assertEquals(3, dice.path("n").asInt());
        }
        assertEquals(
                1,
                summary.path("methods")
                        .path("preds")
                        .path("hd95_mm")
                        .path("n_undefined")
                        .asInt());
        assertEquals(
                3,
                summary.path("methods")
                        .path("empty")
                        .path("hd95_mm")
                        .path("n_undefined")
                        .asInt());
        assertTrue(summary.path("by_defect_type").has("side")
                && summary.path("by_defect_type").has("top"));
        // Mirroring fills the side defects and fails on the one across the midline.
        double mirrorSide = summary.path("by_defect_type")
                .path("side")
                .path("mirror")
                .path("dice")
                .path("mean")
                .asDouble();
        double mirrorTop = summary.path("by_defect_type")
                .path("top")
                .path("mirror")
                .path("dice")
                .path("mean")
                .asDouble();
        assertTrue(mirrorSide > 0.9 && mirrorTop < 0.5, "mirror side " + mirrorSide + ", top " + mirrorTop);
        assertEquals(
                1,
                summary.path("by_midline")
                        .path("crosses_midline")
                        .path("mirror")
                        .path("dice")
                        .path("n")
                        .asInt());
        assertEquals(
                2,
                summary.path("by_midline")
                        .path("one_side")
                        .path("mirror")
                        .path("dice")
                        .path("n")
                        .asInt());
        assertTrue(
                summary.path("midline_share_dice_spearman").path("mirror").asDouble() < 0,
                "mirror gets worse as the defect straddles the midline");

        JsonNode t1 = JSON.readTree(out.resolve("cases/t1/preds.json").toFile());
        assertTrue(t1.path("note").asText().contains("resampled"), t1.toString());
        assertTrue(t1.path("metrics").path("dice").asDouble() > 0.95, t1.toString());
        assertEquals(
                0.0,
                JSON.readTree(out.resolve("cases/l1/hull.json").toFile())
                        .path("metrics")
                        .path("skull_overlap_voxels")
                        .asDouble());

        String html = Files.readString(out.resolve("report.html"));
        // one picture per case and method, and again for the worst cases (here all three) at the top
        assertEquals(24, count(html, "<img "), "one picture per case and method, plus the worst cases");
        assertEquals(24, count(html, "src=\"data:image/png;base64,"));
        int worstL2 = html.indexOf("id=\"worst-l2\""),
                worstT1 = html.indexOf("id=\"worst-t1\""),
                worstL1 = html.indexOf("id=\"worst-l1\"");
        assertTrue(
                worstL2 > 0 && worstL2 < worstT1 && worstT1 < worstL1,
                "worst first by the first method's Dice (l2 0, t1 > 0.95, l1 1)");
        assertEquals(5, count(html, "<svg "), "a box plot per headline metric and the midline scatter plot");
        assertFalse(
                html.contains("src=\"http") || html.contains("href=\"http") || html.contains("<link"),
                "self-contained");
        for (String id : List.of("l1", "l2", "t1")) assertTrue(html.contains("id=\"case-" + id + "\""));

        // Resume: nothing is recomputed; a changed prediction file is.
        Evaluator.Options options = new Evaluator.Options(out, 2, 10, 180);
        Map<String, ImplantPredictor> methods = new java.util.LinkedHashMap<>();
        methods.put("preds", FilePredictions.open(predictions));
        methods.put("mirror", new MirrorBaseline());
        methods.put("empty", FloorBaselines.empty());
        methods.put("hull", FloorBaselines.hull());
        Evaluator.Evaluation again = Evaluator.evaluate(Dataset.open(dataset), methods, options);
        assertEquals(12, again.reusedResults());
        Files.copy(
                dataset.resolve("implant/l2.nrrd"),
                predictions.resolve("l2.nrrd"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(
                predictions.resolve("l2.nrrd"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        methods.put("preds", FilePredictions.open(predictions));
        Evaluator.Evaluation changed = Evaluator.evaluate(Dataset.open(dataset), methods, options);
        assertEquals(11, changed.reusedResults());
        assertEquals(
                1.0, ReportStatistics.result(changed, "l2", "preds").metrics().get("dice"));
        // Put the empty prediction back for the other tests.
        NrrdIO.write(new MaskVolume(GRID), predictions.resolve("l2.nrrd"));
    }

    @Test
    void badInputGivesOneLineErrorsAndNoOutput() throws IOException {
        Path out = tmp.resolve("bad-out");
        StringWriter err = new StringWriter();
        // A prediction folder lacking a case.
        Path partial = tmp.resolve("partial");
        Files.createDirectories(partial);
        Files.copy(predictions.resolve("l1.nrrd"), partial.resolve("l1.nrrd"));
        assertEquals(
                1, run(err, "evaluate", dataset.toString(), "--pred", partial.toString(), "-o", out.toString(), "-q"));
        assertTrue(
                err.toString().contains("no predicted implant")
                        && err.toString().contains("l2"),
                err.toString());
        assertFalse(Files.exists(out.resolve("metrics.csv")));
        // ... which is fine when only the present case is asked for.
        err = new StringWriter();
        assertEquals(
                0,
                run(
                        err,
                        "evaluate",
                        dataset.toString(),
                        "--pred",
                        partial.toString(),
                        "--cases",
                        "l1",
                        "-o",
                        out.toString(),
                        "-q",
                        "--no-images"),
                err.toString());
        assertEquals(1 + 11, Files.readAllLines(out.resolve("metrics.csv")).size());

        err = new StringWriter();
        assertEquals(2, run(err, "evaluate", dataset.toString(), "--baseline", "magic", "-o", out.toString(), "-q"));
        assertTrue(err.toString().contains("unknown --baseline"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "evaluate", dataset.toString(), "-o", out.toString(), "-q"));
        assertTrue(err.toString().contains("nothing to evaluate"), err.toString());
        err = new StringWriter();
        assertEquals(
                1,
                run(
                        err,
                        "evaluate",
                        dataset.toString(),
                        "--baseline",
                        "empty",
                        "--cases",
                        "zz",
                        "-o",
                        out.toString(),
                        "-q"));
        assertTrue(err.toString().contains("no case zz"), err.toString());
        err = new StringWriter();
        assertEquals(
                1, run(err, "evaluate", dataset.toString(), "--baseline", "empty", "-o", dataset.toString(), "-q"));
        assertTrue(err.toString().contains("overlaps the input"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "evaluate", dataset.toString(), "--frobnicate"));

        // A non-binary prediction and an empty true implant.
        Path intensities = tmp.resolve("intensities");
        Files.createDirectories(intensities);
        ShortVolume ct = new ShortVolume(GRID);
        ct.set(5, 300);
        NrrdIO.write(ct, intensities.resolve("l1.nrrd"));
        Path out2 = tmp.resolve("bad-out2");
        err = new StringWriter();
        assertEquals(
                1,
                run(
                        err,
                        "evaluate",
                        dataset.toString(),
                        "--pred",
                        intensities.toString(),
                        "--cases",
                        "l1",
                        "-o",
                        out2.toString(),
                        "-q"));
        assertTrue(err.toString().contains("not a binary mask"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), "one line: " + err);
        assertFalse(Files.exists(out2.resolve("metrics.csv")));

        Path emptyTruth = tmp.resolve("empty-truth");
        Files.createDirectories(emptyTruth.resolve("defective_skull"));
        Files.createDirectories(emptyTruth.resolve("implant"));
        Files.copy(dataset.resolve("defective_skull/l1.nrrd"), emptyTruth.resolve("defective_skull/x.nrrd"));
        NrrdIO.write(new MaskVolume(GRID), emptyTruth.resolve("implant/x.nrrd"));
        err = new StringWriter();
        assertEquals(
                1,
                run(
                        err,
                        "evaluate",
                        emptyTruth.toString(),
                        "--baseline",
                        "empty",
                        "-o",
                        tmp.resolve("bad-out3").toString(),
                        "-q"));
        assertTrue(err.toString().contains("empty"), err.toString());
    }

    @Test
    void caseRangesExpandWithPadding() {
        assertEquals(
                List.of("060", "061", "062", "abc"),
                org.calvaria.cli.EvaluateCommandAccess.expand(List.of("060-062", "abc")));
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
