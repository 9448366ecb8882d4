package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calvaria.cli.Main;
import org.calvaria.defects.DefectType;
import org.calvaria.io.NrrdIO;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SizeStudyTest {
    @TempDir
    Path tmp;

    @Test
    void perfectDesignerIsSatisfactoryEverywhereAndEmptyOneNowhere() {
        MaskVolume skull = new SyntheticSkull(4).rasterize(2.0, 2.0);
        Map<String, MaskVolume> skulls = SizeStudy.named();
        skulls.put("synthetic", skull);
        List<DefectType> types = List.of(DefectType.SPHERE, DefectType.CYLINDER);
        List<Double> fractions = List.of(0.1, 0.3);
        // The oracle knows the complete skull: its implant is exactly the removed bone.
        SizeStudy.Result perfect =
                SizeStudy.run(skulls, types, fractions, d -> skull.copy().andNot(d), 1, 0.8);
        assertEquals(4, perfect.rows().size());
        for (SizeStudy.Row r : perfect.rows()) {
            assertEquals(1.0, r.dice(), 1e-12);
            assertEquals(0.0, r.errorRatePct(), 1e-12);
            assertEquals(r.targetFraction(), r.achievedFraction(), 0.02);
        }
        assertEquals(0.3, perfect.satisfactoryUpTo(), 1e-12);
        SizeStudy.Result empty = SizeStudy.run(skulls, types, fractions, d -> new MaskVolume(d.geometry()), 1, 0.8);
        assertTrue(Double.isNaN(empty.satisfactoryUpTo()));
        assertEquals(100.0, empty.mean(null, 0.1, false), 1e-9, "an empty implant misses all the bone: r = 100 %");
        assertTrue(SizeStudy.table(empty, "x").contains("No size reaches"));
    }

    @Test
    void commandWritesTablePlotAndCsvWithTheBundledModel() throws Exception {
        Path skull = tmp.resolve("skull.nrrd");
        NrrdIO.write(new SyntheticSkull(6).rasterize(1.5, 1.5), skull);
        Path out = tmp.resolve("study");
        int code = Main.run(
                "study",
                "size",
                skull.toString(),
                "--types",
                "sphere,ellipsoid",
                "--fractions",
                "0.1,0.25",
                "-o",
                out.toString(),
                "-q");
        assertEquals(0, code);
        List<String> csv = Files.readAllLines(out.resolve("size-study.csv"));
        assertEquals(1 + 4, csv.size(), String.join("\n", csv));
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            double dice = Double.parseDouble(f[4]);
            assertTrue(dice >= 0 && dice <= 1, line);
            assertTrue(Double.parseDouble(f[5]) >= 0, line);
        }
        String md = Files.readString(out.resolve("size-study.md"));
        assertTrue(md.contains("| 10 % |") && md.contains("| 25 % |"), md);
        String svg = Files.readString(out.resolve("size-study.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("<polyline"), svg);
        assertEquals(
                2, // a fraction out of range is a bad option value: usage error
                Main.run(
                        "study",
                        "size",
                        skull.toString(),
                        "--fractions",
                        "0.9",
                        "-o",
                        tmp.resolve("bad").toString(),
                        "-q"));
        assertFalse(Files.exists(tmp.resolve("bad")), "no output for a refused study");
    }
}
