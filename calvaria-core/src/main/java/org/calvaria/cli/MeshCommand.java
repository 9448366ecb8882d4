package org.calvaria.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.files.OutputSet;
import org.calvaria.files.Outputs;
import org.calvaria.io.VolumeIO;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshDecimator;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria mesh VOLUME -o out.stl}: watertight surface of a binary mask (or an intensity volume at a level). */
@Command(
        name = "mesh",
        mixinStandardHelpOptions = true,
        description = {
            "Turn a binary mask (or, with --iso, an intensity volume) into a watertight triangle mesh in"
                    + " physical LPS millimetres. The surface lies half-way between set and unset voxel centres.",
            "Prints triangle count, surface area, enclosed volume and whether the mesh is watertight."
        })
public final class MeshCommand extends CalvariaCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshCommand.class);

    @Mixin
    CommonOptions common;

    @Mixin
    VolumeReadOptions reading;

    @Parameters(index = "0", paramLabel = "VOLUME", description = "Binary mask volume (NRRD, NIfTI, DICOM folder).")
    Path input;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "MESH",
            description = "Output mesh; format from the extension: .stl (binary unless --ascii), .ply, .obj.")
    Path output;

    @Option(
            names = "--smooth",
            paramLabel = "N",
            defaultValue = "0",
            description = "Taubin smoothing iterations (volume-preserving; 10-20 removes the voxel steps). Default 0.")
    int smooth;

    @Option(
            names = "--decimate",
            paramLabel = "F",
            description = "Keep about this fraction of the triangles (0 < F <= 1) by quadric edge collapse.")
    Double decimate;

    @Option(names = "--ascii", description = "Write ASCII STL instead of binary.")
    boolean ascii;

    @Option(
            names = "--points",
            paramLabel = "CLOUD",
            description = "Also write the surface points with normals: .ply (binary) or .xyz (text).")
    Path points;

    @Option(
            names = "--iso",
            paramLabel = "LEVEL",
            description = "Surface level for an intensity volume (e.g. 300 for bone in HU); without it the input"
                    + " must be a 0/1 mask.")
    Double iso;

    @Override
    public void run() {
        MeshIO.Format format = MeshIO.formatForName(output);
        if (ascii && format != MeshIO.Format.STL) {
            throw badOption("--ascii applies to STL output only; name the output .stl or drop --ascii");
        }
        if (smooth < 0 || smooth > 10_000) throw badOption("--smooth must be 0..10000, got " + smooth);
        if (decimate != null && !(decimate > 0 && decimate <= 1)) {
            throw badOption("--decimate is the fraction of triangles to keep and must lie in (0, 1], got " + decimate);
        }
        if (iso != null && !Double.isFinite(iso)) throw badOption("--iso must be a finite number");
        if (points != null) {
            String n = points.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!n.endsWith(".ply") && !n.endsWith(".xyz")) {
                throw badOption("cannot tell the point cloud format of '" + points.getFileName()
                        + "'; use a .ply or .xyz name");
            }
        }
        Outputs.requireDistinct(java.util.List.of(input), java.util.Arrays.asList(output, points));
        Outputs.requireFileTarget(output);
        if (points != null) Outputs.requireFileTarget(points);

        TriangleMesh mesh;
        if (iso == null) {
            MaskVolume mask = MeshInputs.readMask(input, reading.toReadOptions());
            mesh = MarchingCubes.extract(mask);
        } else {
            Volume v = VolumeIO.read(input, reading.toReadOptions());
            mesh = MarchingCubes.extract(v, iso);
            if (mesh.isEmpty()) {
                double[] r = v.valueRange();
                throw new CalvariaException(String.format(
                        Locale.ROOT,
                        "no surface at --iso %s: values range from %s" + " to %s; choose a level inside that range",
                        num(iso),
                        num(r[0]),
                        num(r[1])));
            }
        }
        StringBuilder how = new StringBuilder("mesh ").append(input.getFileName());
        if (iso != null) how.append(" --iso ").append(num(iso));
        if (smooth > 0) {
            mesh = MeshSmoothing.taubin(mesh, smooth);
            how.append(" --smooth ").append(smooth);
        }
        if (decimate != null && decimate < 1) {
            mesh = MeshDecimator.decimate(mesh, decimate);
            how.append(" --decimate ").append(num(decimate));
        }
        // never print "watertight: yes" for a NaN surface
        mesh.requireFinite("the surface of " + input);
        String provenance = Provenance.line(how.toString());
        try (OutputSet set = OutputSet.begin()) { // the mesh and its point cloud appear together, or neither
            MeshIO.write(mesh, output, ascii, provenance);
            if (points != null) MeshIO.writePointCloud(mesh, points, provenance);
            set.commit();
        }
        printSummary(out(), mesh);
        LOG.info("wrote {}{}", output, points != null ? " and " + points : "");
    }

    static void printSummary(PrintWriter out, TriangleMesh mesh) {
        out.printf(Locale.ROOT, "triangles:   %d%n", mesh.triangleCount());
        out.printf(Locale.ROOT, "vertices:    %d%n", mesh.vertexCount());
        out.printf(Locale.ROOT, "surface:     %.1f mm^2%n", mesh.surfaceAreaMm2());
        out.printf(Locale.ROOT, "volume:      %.3f ml (enclosed)%n", mesh.enclosedVolumeMm3() / 1000.0);
        out.printf(Locale.ROOT, "watertight:  %s%n", mesh.isWatertight() ? "yes" : "no");
        out.printf(Locale.ROOT, "components:  %d%n", mesh.componentCount());
    }

    /** Short form of a number for messages and provenance: 300, 0.25, 1.5e-05. */
    static String num(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return Long.toString((long) x);
        String s = String.format(Locale.ROOT, "%.6g", x);
        if (s.contains("e")) return s;
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
