package org.calvaria.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.io.VolumeIO;
import org.calvaria.manufacture.Manufacture;
import org.calvaria.manufacture.Mould;
import org.calvaria.volume.MaskVolume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calvaria bench manufacture}: thickness control + clearance + measurements, and the mould, on a SkullFix case. */
@Command(
        name = "manufacture",
        mixinStandardHelpOptions = true,
        description = {
            "Time the manufacturing steps on a SkullFix case's true implant: thickness control, fit clearance,"
                    + " meshing and measurement (thickness map, gaps to bone), and the two-part mould.",
            "Default: case 069 from ../shared/data/skullfix (or -Dcalvaria.shared=DIR)."
        })
public final class BenchManufactureCommand extends CalvariaCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Option(names = "--case", paramLabel = "NNN", defaultValue = "069", description = "SkullFix case. Default 069.")
    String caseId;

    @Option(
            names = "--repeat",
            paramLabel = "N",
            defaultValue = "2",
            description = "Runs; the first (with JIT warm-up) and the best are printed. Default 2.")
    int repeat;

    @Override
    public void run() {
        if (repeat < 1 || repeat > 20) throw badOption("--repeat must be 1..20, got " + repeat);
        Path root =
                Path.of(System.getProperty("calvaria.shared", "../shared/data")).resolve("skullfix");
        Path skullPath = root.resolve("defective_skull/" + caseId + ".nrrd");
        Path implantPath = root.resolve("implant/" + caseId + ".nrrd");
        if (!Files.isRegularFile(skullPath) || !Files.isRegularFile(implantPath)) {
            throw new CalvariaException("SkullFix case " + caseId + " not found under " + root
                    + "; place the shared data beside the project or give -Dcalvaria.shared=DIR");
        }
        MaskVolume skull = MaskVolume.requireBinary(VolumeIO.read(skullPath), skullPath.toString());
        MaskVolume implant = MaskVolume.requireBinary(VolumeIO.read(implantPath), implantPath.toString());
        out().printf(
                        Locale.ROOT,
                        "SkullFix %s: %s, true implant %d voxels%n",
                        caseId,
                        skull.geometry(),
                        implant.cardinality());
        double bestMf = Double.POSITIVE_INFINITY, bestMould = Double.POSITIVE_INFINITY;
        double bestCpu = Double.POSITIVE_INFINITY;
        for (int i = 0; i < repeat; i++) {
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            Manufacture.Result r = Manufacture.process(implant, skull, Manufacture.Options.defaults(), 10);
            double mf = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            Mould.Result m = Mould.build(r.mesh(), Mould.Options.defaults());
            double mould = (System.nanoTime() - t1) / 1e9;
            double cpu = (cpuNanos() - c0) / 1e9;
            bestMf = Math.min(bestMf, mf);
            bestMould = Math.min(bestMould, mould);
            bestCpu = Math.min(bestCpu, cpu);
            out().printf(
                            Locale.ROOT,
                            "run %d: thickness + clearance + mesh + measure %.2f s %s, mould %.2f s,"
                                    + " total %.2f s wall, %.2f s CPU (all threads)%n",
                            i + 1,
                            mf,
                            r.report().get("manufacture") instanceof java.util.Map<?, ?> mm ? mm.get("seconds") : "",
                            mould,
                            mf + mould,
                            cpu);
            if (i == 0) {
                out().println("  " + r.thickness().line());
                out().println("  " + r.gaps().line());
                out().printf(
                                Locale.ROOT,
                                "  mould: cavity %.2f ml, PMMA %.1f g, warnings %s%n",
                                (Double) m.report().get("cavityVolumeMl"),
                                (Double) m.report().get("pmmaMassG"),
                                m.warnings());
            }
        }
        out().printf(
                        Locale.ROOT,
                        "best: thickness + clearance + measure %.2f s, mould %.2f s, together %.2f s on"
                                + " %d cores; least CPU time %.2f s (a load-independent figure: on idle cores the wall time lies between"
                                + " it divided by the core count and it)%n",
                        bestMf,
                        bestMould,
                        bestMf + bestMould,
                        Runtime.getRuntime().availableProcessors(),
                        bestCpu);
    }

    /** CPU time of this process, all threads (ns), or 0 when the JVM does not say. */
    private static long cpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }
}
