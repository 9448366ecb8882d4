package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.io.SkullFixFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    private void touch(String rel) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {1});
    }

    @Test
    void pairsFilesByCaseIdAndReadsEveryManifestShape() throws IOException {
        touch("defective_skull/001.nrrd");
        touch("defective_skull/002.nii.gz");
        touch("defective_skull/003.nrrd"); // no implant: not a case
        touch("defective_skull/.hidden.nrrd");
        touch("defective_skull/notes.txt");
        touch("implant/001.nrrd");
        touch("implant/002.nrrd");
        touch("complete_skull/001.nrrd");
        Dataset ds = Dataset.open(dir);
        assertEquals(
                List.of("001", "002"), ds.cases().stream().map(Dataset.Case::id).toList());
        assertEquals("skullfix", ds.cases().get(0).defectType());
        assertTrue(ds.cases().get(0).completeSkull() != null);
        assertNull(ds.cases().get(1).completeSkull());

        Files.writeString(dir.resolve("manifest.json"), "[{\"id\": \"001\", \"defectType\": \"bilateral\"}]");
        assertEquals("bilateral", Dataset.open(dir).cases().get(0).defectType());
        Files.writeString(
                dir.resolve("manifest.json"), "{\"002\": {\"type\": \"frontoorbital\"}, \"001\": \"parietotemporal\"}");
        Map<String, String> types = Dataset.readManifest(dir.resolve("manifest.json"));
        assertEquals(Map.of("001", "parietotemporal", "002", "frontoorbital"), types);
        Files.writeString(dir.resolve("manifest.json"), "{not json");
        assertThrows(CalvariaException.class, () -> Dataset.open(dir));
        Files.delete(dir.resolve("manifest.json"));

        assertEquals(
                List.of("002"),
                ds.select(List.of("002")).cases().stream().map(Dataset.Case::id).toList());
        CalvariaException e = assertThrows(CalvariaException.class, () -> ds.select(List.of("009")));
        assertTrue(e.getMessage().contains("009"));
        touch("implant/002.nii");
        assertThrows(CalvariaException.class, () -> Dataset.open(dir), "two implant files for one case");
    }

    @Test
    void rejectsFoldersWithoutTheLayout() throws IOException {
        assertThrows(CalvariaException.class, () -> Dataset.open(dir.resolve("absent")));
        assertThrows(CalvariaException.class, () -> Dataset.open(dir));
        Files.createDirectories(dir.resolve("defective_skull"));
        Files.createDirectories(dir.resolve("implant"));
        CalvariaException e = assertThrows(CalvariaException.class, () -> Dataset.open(dir));
        assertTrue(e.getMessage().contains("no case"));
    }

    @Test
    void caseIdsStripVolumeExtensions() throws IOException {
        assertEquals("000", SkullFixFolder.idOf(Path.of("a/000.nrrd")));
        assertEquals("case_1", SkullFixFolder.idOf(Path.of("case_1.nii.gz")));
        assertEquals("x.y", SkullFixFolder.idOf(Path.of("x.y.nhdr")));
        touch("000.raw.gz");
        touch("000.NRRD");
        assertFalse(SkullFixFolder.isVolumeFile(dir.resolve("000.raw.gz")), "not a volume name");
        assertTrue(SkullFixFolder.isVolumeFile(dir.resolve("000.NRRD")), "extensions in any case");
        assertFalse(SkullFixFolder.isVolumeFile(dir.resolve("absent.nrrd")), "only existing files");
    }
}
