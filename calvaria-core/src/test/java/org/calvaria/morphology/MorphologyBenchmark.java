package org.calvaria.morphology;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import org.calvaria.io.VolumeIO;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;

/**
 * Prints timings of the morphology operations on a real mask (speed is measured here, never in unit tests). It lives
 * with the tests so that {@code morphology} needs no reader: {@code mvn -q -pl calvaria-core test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=org.calvaria.morphology.MorphologyBenchmark -Dexec.args="MASK [radiusMm]"}.
 */
public final class MorphologyBenchmark {
    private MorphologyBenchmark() {}

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: MorphologyBenchmark MASK.nrrd [radiusMm (default 2)]");
            System.exit(2);
        }
        double radius = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        Volume v = VolumeIO.read(Path.of(args[0]));
        MaskVolume m = MaskVolume.requireBinary(v, args[0]);
        System.out.printf(
                Locale.ROOT,
                "%s: %s, %d voxels set, %d cores%n",
                args[0],
                m.geometry(),
                m.cardinality(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "ball %.2f mm: %s%n", radius, StructuringElement.ball(m.geometry(), radius));
        for (int round = 0; round < 2; round++) { // the first round includes JIT warm-up
            System.out.println(round == 0 ? "-- round 1 (cold)" : "-- round 2 (warm)");
            time("label 26", () -> ConnectedComponents.label(m, 26).count() + " components");
            time("label 6", () -> ConnectedComponents.label(m, 6).count() + " components");
            time("largest 26", () -> ConnectedComponents.largest(m, 26).cardinality() + " voxels");
            time("fill 3-D holes", () -> HoleFilling.fillInternalHoles(m).cardinality() + " voxels");
            time(
                    "fill axial slice holes",
                    () -> HoleFilling.fillHolesPerSlice(m).cardinality() + " voxels");
            time("dilate", () -> Morphology.dilate(m, radius).cardinality() + " voxels");
            time("erode", () -> Morphology.erode(m, radius).cardinality() + " voxels");
            time("close", () -> Morphology.close(m, radius).cardinality() + " voxels");
            time("median", () -> MedianFilter.binaryMedian(m, radius).cardinality() + " voxels");
        }
    }

    private static void time(String what, Supplier<String> op) {
        long t0 = System.nanoTime();
        String result = op.get();
        System.out.printf(Locale.ROOT, "%-24s %8.3f s  %s%n", what, (System.nanoTime() - t0) / 1e9, result);
    }
}
