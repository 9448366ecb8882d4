package org.calvaria.cli;

import org.calvaria.io.VolumeFormat;
import org.calvaria.io.VolumeIO;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** {@code calvaria info FILE}: what a volume is and where it lies. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print a volume's format, type, sizes, spacing, direction, origin, value range, foreground count"
                + " and volume.")
public final class InfoCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "FILE", description = "NRRD, NIfTI or DICOM folder.")
    Path file;

    @Override
    public void run() {
        VolumeFormat format = VolumeFormat.detect(file);
        Volume v = VolumeIO.read(file);
        print(System.out, file, format, v);
    }

    static void print(PrintStream out, Path file, VolumeFormat format, Volume v) {
        Geometry g = v.geometry();
        double[] s = g.spacing();
        double[] d = g.unitDirections();
        double[] o = g.origin();
        double[] range = v.valueRange();
        long fg = v.countNonZero();
        out.printf(Locale.ROOT, "file:        %s%n", file);
        out.printf(Locale.ROOT, "format:      %s%n", format);
        out.printf(Locale.ROOT, "type:        %s (stored as %s)%n", v.sourceType().nrrdName(),
                v instanceof MaskVolume ? "binary mask" : v.getClass().getSimpleName());
        out.printf(Locale.ROOT, "sizes:       %d x %d x %d%n", g.nx(), g.ny(), g.nz());
        out.printf(Locale.ROOT, "spacing:     %.6g x %.6g x %.6g mm%n", s[0], s[1], s[2]);
        out.printf(Locale.ROOT, "direction:   (%.6g, %.6g, %.6g) (%.6g, %.6g, %.6g) (%.6g, %.6g, %.6g)%s%n",
                d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8],
                g.isAxisAligned(1e-6) ? "" : "  [oblique or sheared grid]");
        out.printf(Locale.ROOT, "origin:      (%.4f, %.4f, %.4f) mm LPS%n", o[0], o[1], o[2]);
        out.printf(Locale.ROOT, "values:      %s .. %s%n", num(range[0]), num(range[1]));
        out.printf(Locale.ROOT, "foreground:  %d voxels (non-zero)%n", fg);
        out.printf(Locale.ROOT, "volume:      %.3f ml (foreground), voxel %.5f mm^3%n",
                fg * g.voxelVolumeMm3() / 1000.0, g.voxelVolumeMm3());
        for (Map.Entry<String, String> e : v.metadata().entrySet()) {
            out.printf(Locale.ROOT, "meta:        %s = %s%n", e.getKey(), e.getValue());
        }
    }

    private static String num(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : String.format(Locale.ROOT, "%.6g", x);
    }
}
