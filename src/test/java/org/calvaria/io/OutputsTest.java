package org.calvaria.io;

import org.calvaria.CalvariaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Outputs}: which files a run reads and writes, and that they never coincide. */
class OutputsTest {
    @TempDir
    Path tmp;

    private String clash(List<Path> inputs, List<Path> outputs) {
        CalvariaException e = assertThrows(CalvariaException.class, () -> Outputs.requireDistinct(inputs, outputs));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private Path header(String name, String dataFileField) throws Exception {
        Path h = tmp.resolve(name);
        Files.writeString(h, "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n" + dataFileField,
                StandardCharsets.ISO_8859_1);
        return h;
    }

    @Test
    void everyDataFileOfADetachedHeaderIsAnInput() throws Exception {
        Path single = header("single.nhdr", "data file: vox.raw\n\n");
        assertTrue(clash(List.of(single), List.of(tmp.resolve("vox.raw"))).contains("data file of input"));
        // LIST: one file a line after the field, to the end of the header file
        Path list = header("list.nhdr", "data file: LIST 2\nslices/a.raw\nslices/b.raw\n");
        assertTrue(clash(List.of(list), List.of(tmp.resolve("slices/b.raw"))).contains("b.raw"));
        // FORMAT MIN MAX STEP
        Path pattern = header("pattern.nhdr", "data file: s%03d.raw 1 9 4\n\n");
        assertTrue(clash(List.of(pattern), List.of(tmp.resolve("s005.raw"))).contains("s005.raw"));
        Outputs.requireDistinct(List.of(pattern), List.of(tmp.resolve("s004.raw"))); // 1, 5, 9 only
        // the legacy field name, and an attached NRRD refers to nothing else
        Path legacy = header("legacy.nhdr", "datafile: old.raw\n\n");
        assertTrue(clash(List.of(legacy), List.of(tmp.resolve("old.raw"))).contains("old.raw"));
        Path attached = header("attached.nrrd", "\n\u0001\u0002");
        Outputs.requireDistinct(List.of(attached), List.of(tmp.resolve("x.raw"), tmp.resolve("x.nrrd")));
    }

    @Test
    void aDetachedOutputCountsWithItsDataFile() throws Exception {
        Path in = header("in.nhdr", "data file: out.raw.gz\n\n");
        String m = clash(List.of(in), List.of(tmp.resolve("out.nhdr")));
        assertTrue(m.startsWith("output " + tmp.resolve("out.nhdr") + " would write its data file over "), m);
        // an output plainly named like another output's data file
        m = clash(List.of(), List.of(tmp.resolve("m.nhdr"), tmp.resolve("m.raw.gz")));
        assertTrue(m.contains("same file") && m.contains("m.raw.gz"), m);
    }

    @Test
    void pathsAreComparedByRealPathAlsoBeforeTheFilesExist() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        // neither output exists yet; the folder is reached through a link once
        String m = clash(List.of(), List.of(real.resolve("a.stl"), link.resolve("a.stl")));
        assertTrue(m.contains("same file"), m);
        m = clash(List.of(), List.of(tmp.resolve("b.stl"), tmp.resolve("b.stl")));
        assertTrue(m.contains("given twice"), m);
        // relative and absolute spellings, and '..'
        m = clash(List.of(), List.of(real.resolve("x/../c.stl"), real.resolve("c.stl")));
        assertTrue(m.contains("same file"), m);
        // an existing input reached through a link, and a hard link to it
        Path in = Files.writeString(real.resolve("in.nrrd"), "NRRD0004\n\n");
        assertTrue(clash(List.of(in), List.of(link.resolve("in.nrrd"))).contains("is the input file"));
        Path hard = Files.createLink(tmp.resolve("hard.nrrd"), in);
        assertTrue(clash(List.of(in), List.of(hard)).contains("is the input file"));
        // distinct files pass, and nulls are skipped
        Outputs.requireDistinct(java.util.Arrays.asList(in, null),
                java.util.Arrays.asList(real.resolve("d.stl"), null, real.resolve("d.nrrd")));
    }
}
