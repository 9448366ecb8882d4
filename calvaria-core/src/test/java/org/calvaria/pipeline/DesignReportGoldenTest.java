package org.calvaria.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.complete.CompletionModel;
import org.calvaria.manufacture.Manufacture;
import org.calvaria.manufacture.Mould;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The design report's JSON, key for key and in the same layout, against a golden file written by the
 * {@code Map<String,Object>} report this code had before the report became a record. Only what changes from run to
 * run is masked: the times, the tool version, the input's temporary path and the outputs' checksums (their headers
 * carry the time). Rewrite the golden file with {@code -Dcalvaria.golden.write=true} only when the report is meant to
 * change.
 */
class DesignReportGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/org/calvaria/pipeline/design-report.golden.json");

    @TempDir
    Path tmp;

    @Test
    void reportJsonMatchesTheGoldenFile() throws Exception {
        // A CT in HU made from a defective synthetic skull, so that the report has a segmentation part and holes.
        MaskVolume skull = new org.calvaria.synth.SyntheticSkull(5).rasterize(1.2, 1.2);
        org.calvaria.defects.Defect d =
                new org.calvaria.defects.DefectGenerator(5).cut(skull, org.calvaria.defects.DefectType.SPHERE, 0.15);
        ShortVolume ct = new ShortVolume(skull.geometry());
        for (int i = 0; i < ct.voxelCount(); i++) ct.set(i, d.defective().isSet(i) ? 1200 : -1000);
        Manufacture.Options manufacture = Manufacture.Options.defaults()
                .withOutputs(tmp.resolve("thickness.ply"), null, null, Mould.Options.defaults());
        manufacture = new Manufacture.Options(
                manufacture.clearanceMm(),
                manufacture.minThicknessMm(),
                null,
                tmp.resolve("fit.stl"),
                tmp.resolve("implant.3mf"),
                manufacture.fitCheckMarginMm(),
                manufacture.rimRadiusMm(),
                manufacture.thicknessMap(),
                null,
                null,
                manufacture.mould());
        DesignPipeline.Settings settings = DesignPipeline.Settings.defaults().withManufacture(manufacture);
        try (CompletionModel model = CompletionModel.loadDefault()) {
            new DesignPipeline(model, "bundled")
                    .run(
                            ct,
                            "synthetic-ct",
                            settings,
                            new DesignPipeline.OutputFiles(
                                    tmp.resolve("implant.stl"),
                                    tmp.resolve("implant.nrrd"),
                                    tmp.resolve("completed.nrrd"),
                                    tmp.resolve("report.json"),
                                    null),
                            s -> {});
        }
        String written = Files.readString(tmp.resolve("report.json"), StandardCharsets.UTF_8);
        ObjectMapper plain = new ObjectMapper();
        JsonNode tree = plain.readTree(written);
        // The layout is Jackson's default pretty printer, exactly.
        assertEquals(plain.writerWithDefaultPrettyPrinter().writeValueAsString(tree), written);
        String masked = plain.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(mask(tree)) + "\n";
        if (Boolean.getBoolean("calvaria.golden.write")) {
            Files.writeString(GOLDEN, masked, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN, StandardCharsets.UTF_8), masked);
    }

    private JsonNode mask(JsonNode tree) {
        ObjectNode r = (ObjectNode) tree;
        r.put("tool", "calvaria VERSION");
        r.put("created", "CREATED");
        ObjectNode secs = (ObjectNode) r.get("secondsPerStage");
        secs.fieldNames().forEachRemaining(k -> secs.put(k, 0.0));
        ObjectNode msecs = (ObjectNode) r.get("manufacture").get("seconds");
        msecs.fieldNames().forEachRemaining(k -> msecs.put(k, 0.0));
        for (String k : new String[] {"fitCheck", "thicknessMap", "threeMf"}) {
            ObjectNode part = (ObjectNode) r.get(k);
            part.put("file", Path.of(part.get("file").asText()).getFileName().toString());
        }
        for (JsonNode o : r.get("outputs")) {
            ObjectNode e = (ObjectNode) o;
            e.put("file", Path.of(e.get("file").asText()).getFileName().toString());
            e.put("sha256", "SHA256");
            e.put("bytes", 0);
        }
        return r;
    }
}
