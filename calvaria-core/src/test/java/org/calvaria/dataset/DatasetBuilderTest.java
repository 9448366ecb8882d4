package org.calvaria.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.defects.DefectType;
import org.calvaria.io.NrrdIO;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetBuilderTest {
    @Test
    @SuppressWarnings("unchecked")
    void buildsBothGridsResumesAndRebuildsTheManifest(@TempDir Path dir) throws Exception {
        Progress.enabled(false);
        Path skulls = Files.createDirectories(dir.resolve("skulls/complete_skull"));
        for (int i = 0; i < 2; i++) {
            NrrdIO.write(
                    new SyntheticSkull(300 + i).rasterize(2.0, 2.0), skulls.resolve(String.format("%03d.nrrd", i)));
        }
        Path out = dir.resolve("ds");
        DatasetBuilder.Options o = new DatasetBuilder.Options(
                3, true, NetworkGrid.wu2022(), true, true, DefectType.wu2022(), 0.1, 0.3, null, 9, 2, null, 0.5);
        DatasetBuilder.Result r = DatasetBuilder.build(dir.resolve("skulls"), out, o);
        assertEquals(6, r.samples());
        assertEquals(6, r.written());
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 3; k++) {
                String name = String.format("%03d_%02d", i, k);
                for (String prefix : new String[] {"", "original/"}) {
                    MaskVolume c = read(out.resolve(prefix + "complete_skull/" + name + ".nrrd"));
                    MaskVolume d = read(out.resolve(prefix + "defective_skull/" + name + ".nrrd"));
                    MaskVolume im = read(out.resolve(prefix + "implant/" + name + ".nrrd"));
                    assertEquals(0, d.intersectionCount(im), name);
                    assertTrue(d.copy().or(im).sameVoxels(c), name + ": defective + implant != complete");
                    assertTrue(im.cardinality() > 0);
                    if (prefix.isEmpty()) assertEquals(112 * 112 * 40, c.voxelCount());
                }
            }
        }
        Map<String, Object> manifest = JsonFiles.readMap(r.manifest());
        assertEquals(6, manifest.get("sample_count"));
        Map<String, Object> split = (Map<String, Object>) manifest.get("split");
        assertEquals(1, ((List<?>) split.get("validation")).size());
        List<Map<String, Object>> samples = (List<Map<String, Object>>) manifest.get("samples");
        Map<String, Object> first = samples.get(0);
        assertEquals("000_00", first.get("name"));
        assertTrue(first.containsKey("augmentation")
                && first.containsKey("defect")
                && first.containsKey("defect_original_grid")
                && first.containsKey("sample_seed"));

        // Resume: one sample lost its implant file; only it is rebuilt, to the same voxels.
        Path implant = out.resolve("implant/001_02.nrrd");
        MaskVolume before = read(implant);
        Files.delete(implant);
        DatasetBuilder.Result again = DatasetBuilder.build(dir.resolve("skulls"), out, o);
        assertEquals(1, again.written());
        assertEquals(5, again.skipped());
        assertTrue(read(implant).sameVoxels(before));
        assertEquals(6, JsonFiles.readMap(again.manifest()).get("sample_count"));

        // Other options into the same folder are refused.
        DatasetBuilder.Options other = new DatasetBuilder.Options(
                3, true, NetworkGrid.wu2022(), true, true, DefectType.wu2022(), 0.1, 0.3, null, 10, 2, null, 0.5);
        assertThrows(CalvariaException.class, () -> DatasetBuilder.build(dir.resolve("skulls"), out, other));
    }

    private static MaskVolume read(Path p) {
        return MaskVolume.requireBinary(NrrdIO.read(p), p.toString());
    }
}
