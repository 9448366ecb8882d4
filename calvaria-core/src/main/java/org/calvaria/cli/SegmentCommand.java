package org.calvaria.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.files.Outputs;
import org.calvaria.io.VolumeIO;
import org.calvaria.segment.SkullSegmenter;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria segment CT -o skull.nrrd}: CT in Hounsfield units to a binary skull. */
@Command(
        name = "segment",
        mixinStandardHelpOptions = true,
        description = {
            "Segment the skull from a CT in Hounsfield units: bone threshold, largest 26-connected"
                    + " component (removes the CT table and head holder), 3-D filling of holes enclosed by bone, optional"
                    + " median smoothing, crop to the skull plus a margin. Writes a uint8 0/1 mask.",
            "Thresholds must lie in -1024..3071 HU; for scanner values that are not HU use --raw-window."
        })
public final class SegmentCommand extends CalvariaCommand implements Runnable {

    @Mixin
    CommonOptions common;

    @Mixin
    VolumeReadOptions reading;

    @Parameters(index = "0", paramLabel = "CT", description = "CT volume (NRRD, NIfTI or DICOM folder) in HU.")
    Path in;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "OUT",
            description = "Skull mask to write (.nrrd, .nhdr, .nii, .nii.gz).")
    Path out;

    @Option(
            names = "--threshold",
            paramLabel = "HU",
            description = "Lowest bone value in HU (default: ${DEFAULT-VALUE}, as SkullFix).",
            defaultValue = "150")
    double threshold;

    @Option(
            names = "--upper",
            paramLabel = "HU",
            description = "Highest bone value in HU, e.g. to drop metal (default: no upper limit).")
    Double upper;

    @Option(
            names = "--raw-window",
            paramLabel = "LO,HI",
            description = "Bone band in the file's raw stored values instead of HU (e.g. 1200,1817 as Wu et al.);"
                    + " replaces --threshold/--upper.")
    String rawWindow;

    @Option(
            names = "--median-mm",
            paramLabel = "R",
            defaultValue = "0",
            description = "Binary median smoothing radius in mm, 0 = off (SkullFix used 2 on noisy cases;"
                    + " default: ${DEFAULT-VALUE}).")
    double medianMm;

    @Option(names = "--no-fill", description = "Do not fill holes enclosed by bone.")
    boolean noFill;

    @Option(names = "--no-crop", description = "Keep the input grid instead of cropping to the skull.")
    boolean noCrop;

    @Option(
            names = "--margin-mm",
            paramLabel = "M",
            defaultValue = "5",
            description = "Margin around the skull when cropping, mm (default: ${DEFAULT-VALUE}).")
    double marginMm;

    @Override
    public void run() {
        SkullSegmenter.Options options = options();
        Outputs.requireNotInput(out, in);
        VolumeIO.formatForName(out);
        Volume ct = VolumeIO.read(in, reading.toReadOptions());
        String name = in.getFileName().toString();
        SkullSegmenter.Result r = SkullSegmenter.segment(ct, options, name);
        MaskVolume skull = r.skull();
        Provenance.stamp(skull, "segment " + name + ": " + options.describe());
        VolumeIO.write(skull, out, VoxelType.UINT8);
        print(r, options);
    }

    private SkullSegmenter.Options options() {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        SkullSegmenter.Options o = SkullSegmenter.Options.defaults();
        if (rawWindow != null) {
            if (pr.hasMatchedOption("--threshold") || pr.hasMatchedOption("--upper")) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--raw-window replaces --threshold and --upper; give one or the other");
            }
            String[] parts = rawWindow.split(",", -1);
            double lo, hi;
            try {
                if (parts.length != 2) throw new NumberFormatException();
                lo = Double.parseDouble(parts[0].trim());
                hi = Double.parseDouble(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--raw-window needs two numbers LO,HI (for example 1200,1817), got '" + rawWindow + "'");
            }
            o = o.withRawWindow(lo, hi);
        } else {
            o = o.withHuWindow(threshold, upper == null ? Double.POSITIVE_INFINITY : upper);
        }
        o = o.withMedianMm(medianMm).withFillHoles(!noFill).withCrop(!noCrop, marginMm);
        try {
            return o.validate();
        } catch (CalvariaException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void print(SkullSegmenter.Result r, SkullSegmenter.Options o) {
        MaskVolume s = r.skull();
        var stdout = out();
        stdout.printf(
                Locale.ROOT,
                "bone band:   %,d voxels in %,d components (26-connected)%n",
                r.thresholdVoxels(),
                r.components());
        stdout.printf(
                Locale.ROOT,
                "largest:     %,d voxels kept, %,d removed%n",
                r.largestVoxels(),
                r.thresholdVoxels() - r.largestVoxels());
        if (o.medianMm() > 0)
            stdout.printf(Locale.ROOT, "median:      %,d voxels after %s mm%n", r.smoothedVoxels(), num(o.medianMm()));
        if (o.fillHoles()) stdout.printf(Locale.ROOT, "holes:       %,d voxels filled%n", r.filledVoxels());
        if (r.cropBox() != null)
            stdout.printf(Locale.ROOT, "cropped:     %d x %d x %d voxels%n", s.nx(), s.ny(), s.nz());
        stdout.printf(Locale.ROOT, "skull:       %,d voxels, %.1f ml -> %s%n", s.cardinality(), r.volumeMl(), out);
    }

    private static String num(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : String.format(Locale.ROOT, "%.3g", x);
    }
}
