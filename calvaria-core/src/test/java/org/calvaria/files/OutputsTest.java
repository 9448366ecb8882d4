package org.calvaria.files;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.calvaria.CalvariaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        Files.writeString(
                h,
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n" + dataFileField,
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
        Outputs.requireDistinct(
                java.util.Arrays.asList(in, null),
                java.util.Arrays.asList(real.resolve("d.stl"), null, real.resolve("d.nrrd")));
    }

    // -------------------------------------------------------------------------------- debris of killed runs

    private static Path aged(Path p, long minutes) throws Exception {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofMinutes(minutes))));
        return p;
    }

    private static List<String> names(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void staleTemporariesOfTheSameTargetAreRemovedByTheNextWrite() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("stale"));
        aged(Files.write(d.resolve(".s.stl8008005041921771015.part"), new byte[1000]), 5); // a killed run's
        aged(Files.write(d.resolve(".s.stl42.part"), new byte[10]), 5); // a killed run's
        Files.write(d.resolve(".s.stl77.part"), new byte[10]); // fresh: may be a live writer's
        aged(Files.write(d.resolve(".other.stl123.part"), new byte[10]), 5); // another target's
        aged(Files.write(d.resolve("s.stl123.part"), new byte[10]), 5); // not our naming
        aged(Files.write(d.resolve(".s.stl12x.part"), new byte[10]), 5); // not our naming
        aged(Files.write(d.resolve(".s.stl123.part.bak"), new byte[10]), 5); // not our naming
        Outputs.writeAtomically(d.resolve("s.stl"), out -> out.write(1));
        assertEquals(
                List.of(
                        ".other.stl123.part",
                        ".s.stl123.part.bak",
                        ".s.stl12x.part",
                        ".s.stl77.part",
                        "s.stl",
                        "s.stl123.part"),
                names(d));
    }

    @Test
    void aLiveWritersTemporaryIsKeptAndRemovedOnceItsProcessIsKilled() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("killed"));
        Path target = d.resolve("big.stl");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        javaBin,
                        "-cp",
                        System.getProperty("java.class.path"),
                        KilledWriter.class.getName(),
                        target.toString())
                .redirectErrorStream(true)
                .start();
        try {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            String line;
            while ((line = lines.readLine()) != null && !line.equals("writing")) {
                /* JVM start-up */
            }
            assertEquals("writing", line, "the writer process did not start");
            List<String> during = names(d);
            assertEquals(1, during.size(), "one temporary while writing: " + during);
            Path temporary = aged(d.resolve(during.get(0)), 5); // even when it looks old, its writer holds it
            Outputs.removeStaleTemporaries(target);
            assertTrue(Files.exists(temporary), "a live writer's temporary must be kept");

            p.destroyForcibly(); // kill -9: no Java code runs, the temporary stays
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(Files.exists(temporary));
            aged(temporary, 5);
            Outputs.writeAtomically(target, out -> out.write(new byte[] {1, 2, 3}));
            assertEquals(List.of("big.stl"), names(d), "the killed run's temporary is removed by the next run");
        } finally {
            p.destroyForcibly();
        }
    }

    // -------------------------------------------------------------------------------- outputs as a set

    @Test
    void aSetsOutputsAppearTogetherOnCommitWithTheirChecksums() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("set"));
        Files.writeString(d.resolve("a.stl"), "old a");
        try (OutputSet set = OutputSet.begin()) {
            Outputs.writeAtomically(d.resolve("a.stl"), out -> out.write("new a".getBytes(StandardCharsets.UTF_8)));
            Outputs.writeAtomically(d.resolve("b.json"), out -> out.write("{}".getBytes(StandardCharsets.UTF_8)));
            assertEquals("old a", Files.readString(d.resolve("a.stl")), "nothing moves before the commit");
            assertFalse(Files.exists(d.resolve("b.json")));
            List<OutputSet.Entry> e = set.entries();
            assertEquals(
                    List.of(d.resolve("a.stl"), d.resolve("b.json")),
                    e.stream().map(OutputSet.Entry::target).toList());
            assertEquals(
                    java.util.HexFormat.of()
                            .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                    .digest("new a".getBytes(StandardCharsets.UTF_8))),
                    e.get(0).sha256());
            assertEquals(5, e.get(0).bytes());
            set.commit();
        }
        assertEquals("new a", Files.readString(d.resolve("a.stl")));
        assertEquals("{}", Files.readString(d.resolve("b.json")));
        assertEquals(List.of("a.stl", "b.json"), names(d));
        // outside a set, writes go straight into place again
        Outputs.writeAtomically(d.resolve("c.txt"), out -> out.write(1));
        assertTrue(Files.exists(d.resolve("c.txt")));
    }

    @Test
    void checksumsOfLargeOutputsAreReadBackWholeAndOnlyBeforeTheCommit() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("large"));
        byte[] content = new byte[200_003]; // over three read buffers, not a whole number of them
        new java.util.Random(3).nextBytes(content);
        try (OutputSet set = OutputSet.begin()) {
            Outputs.writeAtomically(d.resolve("big.stl"), out -> {
                out.write(content, 0, 70_000);
                out.write(content, 70_000, content.length - 70_000);
            });
            OutputSet.Entry e = set.entries().get(0);
            assertEquals(
                    java.util.HexFormat.of()
                            .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                    .digest(content)),
                    e.sha256());
            assertEquals(content.length, e.bytes());
            set.commit();
            assertThrows(IllegalStateException.class, set::entries, "the staged files have moved");
        }
        assertArrayEquals(content, Files.readAllBytes(d.resolve("big.stl")));
    }

    @Test
    void aFailureInsideASetLeavesNoneOfItsOutputs() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("failing"));
        Files.writeString(d.resolve("a.stl"), "old a");
        Files.writeString(d.resolve("report.json"), "old report");
        assertThrows(CalvariaException.class, () -> {
            try (OutputSet set = OutputSet.begin()) {
                Outputs.writeAtomically(d.resolve("a.stl"), out -> out.write("new a".getBytes(StandardCharsets.UTF_8)));
                Outputs.writeAtomically(d.resolve("b.nrrd"), out -> {
                    out.write(new byte[100_000]);
                    throw new java.io.IOException("No space left on device");
                });
                Outputs.writeAtomically(d.resolve("report.json"), out -> out.write('x'));
                set.commit();
            }
        });
        assertEquals("old a", Files.readString(d.resolve("a.stl")));
        assertEquals("old report", Files.readString(d.resolve("report.json")));
        assertEquals(List.of("a.stl", "report.json"), names(d), "no new output and no temporary");
    }

    @Test
    void anInnerSetHandsItsOutputsToTheOuterOne() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("nested"));
        try (OutputSet outer = OutputSet.begin()) {
            Outputs.writeAtomically(d.resolve("first.nrrd"), out -> out.write(1));
            try (OutputSet inner = OutputSet.begin()) {
                Outputs.writeAtomically(d.resolve("second.stl"), out -> out.write(2));
                inner.commit();
            }
            assertEquals(
                    List.of(), names(d).stream().filter(n -> !n.startsWith(".")).toList());
            assertEquals(2, outer.entries().size());
            outer.commit();
        }
        assertEquals(List.of("first.nrrd", "second.stl"), names(d));
    }
}
