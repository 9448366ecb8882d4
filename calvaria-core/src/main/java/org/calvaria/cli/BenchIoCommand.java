package org.calvaria.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.io.VolumeIO;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria bench io [CASE]}: read, mesh and STL-write times and peak memory for one skull. */
@Command(
        name = "io",
        mixinStandardHelpOptions = true,
        description = {
            "Time reading a skull mask, marching cubes and binary STL writing, and report peak heap use.",
            "Default case: SkullFix 000 from ../shared/data (or -Dcalvaria.shared=DIR), else the synthetic skull."
        })
public final class BenchIoCommand extends CalvariaCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CASE", description = "Binary mask volume to measure.")
    Path input;

    @Option(
            names = "--repeat",
            paramLabel = "N",
            defaultValue = "3",
            description = "Marching-cubes runs; the first (with JIT warm-up) and the best are printed. Default 3.")
    int repeat;

    @Override
    public void run() {
        if (repeat < 1 || repeat > 100) throw badOption("--repeat must be 1..100, got " + repeat);
        PrintWriter out = out();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
        Path source = input != null ? input : defaultCase();
        long t0 = System.nanoTime();
        MaskVolume mask;
        String name;
        if (source != null) {
            Volume v = VolumeIO.read(source);
            mask = MaskVolume.requireBinary(v, source.toString());
            name = source.toString();
        } else {
            mask = new SyntheticSkull(1).rasterize(0.45, 0.6);
            name = "synthetic skull (seed 1, 0.45 x 0.45 x 0.6 mm; SkullFix data not found)";
        }
        double readS = seconds(t0);
        if (mask.isEmpty()) throw new CalvariaException(name + " is an empty mask; nothing to mesh");
        long readPeak = heapPeak();
        // Measure meshing on its own: drop the reader's buffers first, then restart the peak counters.
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
        long baseline = heapUsed();

        TriangleMesh mesh = null;
        double first = 0, best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < repeat; i++) {
            mesh = null; // let the previous mesh go before measuring again
            long t = System.nanoTime();
            mesh = MarchingCubes.extract(mask);
            double s = seconds(t);
            if (i == 0) first = s;
            best = Math.min(best, s);
        }
        Path stl;
        double writeS;
        long bytes;
        try {
            stl = Files.createTempFile("calvaria-bench", ".stl");
            long t = System.nanoTime();
            MeshIO.writeStlBinary(mesh, stl, Provenance.line("bench io"));
            writeS = seconds(t);
            bytes = Files.size(stl);
            Files.deleteIfExists(stl);
        } catch (IOException e) {
            throw new CalvariaException("cannot write a temporary STL for the benchmark: " + e.getMessage(), e);
        }
        long meshPeak = heapPeak();
        var g = mask.geometry();
        out.printf(Locale.ROOT, "case:            %s%n", name);
        out.printf(
                Locale.ROOT,
                "grid:            %d x %d x %d, %d voxels set%n",
                g.nx(),
                g.ny(),
                g.nz(),
                mask.cardinality());
        out.printf(Locale.ROOT, "read:            %.3f s%n", readS);
        out.printf(Locale.ROOT, "marching cubes:  %.3f s first, %.3f s best of %d%n", first, best, repeat);
        out.printf(
                Locale.ROOT,
                "triangles:       %d (%d vertices, watertight %s)%n",
                mesh.triangleCount(),
                mesh.vertexCount(),
                mesh.isWatertight() ? "yes" : "no");
        out.printf(
                Locale.ROOT,
                "mesh arrays:     %.1f MB (float vertices + int triangles)%n",
                (4.0 * mesh.vertices().length + 4.0 * mesh.triangles().length) / 1e6);
        out.printf(Locale.ROOT, "STL write:       %.3f s (%.1f MB binary)%n", writeS, bytes / 1e6);
        out.printf(
                Locale.ROOT,
                "peak heap:       %.1f MB reading, %.1f MB meshing + writing (%.1f MB of it the mask"
                        + " and JVM baseline); sum of heap pool peaks, max heap %.0f MB%n",
                readPeak / 1e6,
                meshPeak / 1e6,
                baseline / 1e6,
                Runtime.getRuntime().maxMemory() / 1e6);
        out.printf(
                Locale.ROOT,
                "threads:         %d available processors%n",
                Runtime.getRuntime().availableProcessors());
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Sum over heap pools of their peak use since the last reset (an upper bound of the true heap peak). */
    private static long heapPeak() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        return peak;
    }

    private static long heapUsed() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) used += pool.getUsage().getUsed();
        }
        return used;
    }

    private static Path defaultCase() {
        Path root = Path.of(System.getProperty("calvaria.shared", "../shared/data"));
        Path p = root.resolve("skullfix/complete_skull/000.nrrd");
        return Files.isRegularFile(p) ? p : null;
    }
}
