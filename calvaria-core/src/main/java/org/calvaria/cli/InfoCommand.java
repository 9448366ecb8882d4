package org.calvaria.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.calvaria.io.VolumeFormat;
import org.calvaria.io.VolumeIO;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code calvaria info FILE}: what a volume is and where it lies. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Print a volume's format, type, sizes, spacing, direction, origin, value range, foreground count"
                + " and volume.")
public final class InfoCommand extends CalvariaCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Mixin
    VolumeReadOptions reading;

    @Parameters(
            paramLabel = "FILE",
            description = "NRRD, NIfTI, a DICOM series folder, or one DICOM file (its series is read).")
    Path file;

    @Override
    public void run() {
        VolumeFormat format = VolumeFormat.detect(file);
        Volume v = VolumeIO.read(file, reading.toReadOptions());
        print(out(), file, format, v);
    }

    static void print(PrintWriter out, Path file, VolumeFormat format, Volume v) {
        Geometry g = v.geometry();
        double[] s = g.spacing();
        double[] d = g.unitDirections();
        double[] o = g.origin();
        double[] range = v.valueRange();
        long fg = v.countNonZero();
        out.printf(Locale.ROOT, "file:        %s%n", file);
        out.printf(Locale.ROOT, "format:      %s%n", format);
        out.printf(
                Locale.ROOT,
                "type:        %s (stored as %s)%n",
                v.sourceType().nrrdName(),
                v instanceof MaskVolume ? "binary mask" : v.getClass().getSimpleName());
        out.printf(Locale.ROOT, "sizes:       %d x %d x %d%n", g.nx(), g.ny(), g.nz());
        out.printf(Locale.ROOT, "spacing:     %s x %s x %s mm%n", compact(s[0]), compact(s[1]), compact(s[2]));
        out.printf(
                Locale.ROOT,
                "direction:   (%s, %s, %s) (%s, %s, %s) (%s, %s, %s)%s%n",
                compact(d[0]),
                compact(d[3]),
                compact(d[6]),
                compact(d[1]),
                compact(d[4]),
                compact(d[7]),
                compact(d[2]),
                compact(d[5]),
                compact(d[8]),
                gridKind(g, d));
        out.printf(Locale.ROOT, "origin:      (%.4f, %.4f, %.4f) mm LPS%n", o[0], o[1], o[2]);
        out.printf(Locale.ROOT, "values:      %s .. %s%n", num(range[0]), num(range[1]));
        out.printf(Locale.ROOT, "foreground:  %d voxels (non-zero)%n", fg);
        out.printf(
                Locale.ROOT,
                "volume:      %.3f ml (foreground), voxel %.5f mm^3%n",
                fg * g.voxelVolumeMm3() / 1000.0,
                g.voxelVolumeMm3());
        for (Map.Entry<String, String> e : v.metadata().entrySet()) {
            out.printf(Locale.ROOT, "meta:        %s = %s%n", e.getKey(), e.getValue());
        }
    }

    /** "" for axis-aligned grids; otherwise whether the axes are merely rotated or not even orthogonal. */
    private static String gridKind(Geometry g, double[] d) {
        if (g.isAxisAligned(1e-6)) return "";
        double worst = 0;
        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                worst = Math.max(worst, Math.abs(d[a] * d[b] + d[3 + a] * d[3 + b] + d[6 + a] * d[6 + b]));
            }
        }
        return worst > 1e-4 ? "  [sheared grid: axes not orthogonal, e.g. gantry tilt]" : "  [oblique grid]";
    }

    /** Up to 6 significant digits without trailing zeros: 0.5, 2, 0.433013, 1e-07. */
    static String compact(double x) {
        if (x == 0) return "0"; // also turns -0 into 0
        String t = String.format(Locale.ROOT, "%.6g", x);
        int e = t.indexOf('e');
        String mantissa = e < 0 ? t : t.substring(0, e);
        String exponent = e < 0 ? "" : t.substring(e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "");
            if (mantissa.endsWith(".")) mantissa = mantissa.substring(0, mantissa.length() - 1);
        }
        if (!exponent.isEmpty())
            exponent = exponent.replaceFirst("e([+-])0*(\\d)", "e$1$2").replace("e+", "e");
        return mantissa + exponent;
    }

    private static String num(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15
                ? Long.toString((long) x)
                : String.format(Locale.ROOT, "%.6g", x);
    }
}
