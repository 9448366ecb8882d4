package org.calvaria.cli;

import static org.calvaria.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.calvaria.io.NrrdIO;
import org.calvaria.testing.CliRun.Result;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed run leaves behind is cleaned up by the next run writing the same outputs. */
class RunDebrisTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void noProgressBars() {
        System.setProperty("calvaria.noprogress", "true");
    }

    @Test
    void meshRemovesTheHiddenTemporariesOfAKilledMeshRun() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("out"));
        MaskVolume cube = new MaskVolume(Geometry.axisAligned(10, 10, 10, 1));
        for (int z = 3; z < 7; z++) for (int y = 3; y < 7; y++) for (int x = 3; x < 7; x++) cube.set(x, y, z, true);
        Path in = tmp.resolve("cube.nrrd");
        NrrdIO.write(cube, in);
        // what 'kill -9' during 'mesh -o s.stl --points s.ply' left: the two half-written hidden temporaries
        Path stlDebris = Files.write(d.resolve(".s.stl3141592653589793238.part"), new byte[1 << 20]);
        Path plyDebris = Files.write(d.resolve(".s.ply2718281828459045.part"), new byte[1 << 16]);
        for (Path p : List.of(stlDebris, plyDebris)) {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
        }
        Path unrelated = Files.write(d.resolve(".notes.txt"), new byte[] {1});

        Result r = run(
                "mesh",
                in.toString(),
                "-o",
                d.resolve("s.stl").toString(),
                "--points",
                d.resolve("s.ply").toString());

        assertEquals(0, r.exitCode(), r.err());
        try (Stream<Path> s = Files.list(d)) {
            assertEquals(
                    List.of(".notes.txt", "s.ply", "s.stl"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.exists(unrelated));
    }

    @Test
    void meshWritesItsSurfaceAndPointsTogetherOrNeither() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("pair"));
        MaskVolume cube = new MaskVolume(Geometry.axisAligned(10, 10, 10, 1));
        for (int z = 3; z < 7; z++) for (int y = 3; y < 7; y++) for (int x = 3; x < 7; x++) cube.set(x, y, z, true);
        Path in = tmp.resolve("cube.nrrd");
        NrrdIO.write(cube, in);
        Files.writeString(d.resolve("file"), "a file, not a folder");
        Result r = run(
                "mesh",
                in.toString(),
                "-o",
                d.resolve("s.stl").toString(),
                "--points",
                d.resolve("file/s.xyz").toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        try (Stream<Path> s = Files.list(d)) {
            assertEquals(List.of("file"), s.map(p -> p.getFileName().toString()).toList(), "no STL without its points");
        }
    }
}
