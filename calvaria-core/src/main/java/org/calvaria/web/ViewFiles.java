package org.calvaria.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calvaria.io.NiftiIO;
import org.calvaria.io.VolumeIO;
import org.calvaria.manufacture.Thickness;
import org.calvaria.manufacture.ThicknessMap;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshDecimator;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.Mz3;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the page's viewer loads, made small enough for software WebGL to show at once (issue 12, item 3): the skull,
 * the implant and the completed skull as decimated surface meshes in MZ3, in the viewer's RAS mm, and one volume,
 * downsampled to at most {@link #MAX_SLICE_SIDE} voxels a side, for the slices. The downloads (STL, NRRD) stay at
 * full resolution; these files are for looking only.
 */
final class ViewFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ViewFiles.class);

    /** Longest side of the slice volume and of the grid the skull surfaces are extracted from, voxels. */
    static final int MAX_SLICE_SIDE = 192;
    /** Triangle budgets of the view meshes: enough to judge a fit, few enough to turn smoothly on a CPU renderer. */
    static final int SKULL_TRIANGLES = 80_000, COMPLETED_TRIANGLES = 80_000, IMPLANT_TRIANGLES = 40_000;

    /** Names of a run's view files, in its folder (fixed names: never built from anything the user sent). */
    static final String IMPLANT_MESH = "view-implant.mz3", COMPLETED_MESH = "view-completed.mz3";
    /**
     * Hook for the manufacturing work (implant wall thickness as a colour map): a run whose folder holds this file
     * (the implant surface with one scalar per vertex, the local thickness in mm, RAS) offers it to the page, which
     * shows it as the "Thickness" layer. Nothing here computes it.
     */
    static final String THICKNESS_MESH = "thickness.mz3";

    private ViewFiles() {}

    /** Names of a case's view files. */
    static final String SLICES = "slices.nii.gz", SLICES_RAW = "slices.nii", SKULL_MESH = "skull.mz3";

    /** The case's slice volume and skull surface, written into {@code viewFolder}; answers the slice volume. */
    static Path prepareCase(Volume v, boolean binary, double[] range, Path viewFolder) {
        long t0 = System.nanoTime();
        Volume small = downsample(v, MAX_SLICE_SIDE);
        // Masks compress a hundredfold; CT barely does and would only cost time, so it goes uncompressed.
        Path slices = viewFolder.resolve(binary ? SLICES : SLICES_RAW);
        VoxelType type = binary ? VoxelType.UINT8 : isIntegral(v) ? VoxelType.INT16 : VoxelType.FLOAT32;
        NiftiIO.write(binary ? MaskVolume.threshold(small, 0.5) : small, slices, type);
        TriangleMesh skull = surface(small, boneLevel(binary, range), SKULL_TRIANGLES);
        if (skull != null) Mz3.write(skull, null, viewFolder.resolve(SKULL_MESH));
        LOG.debug("view files of a {} volume: {} ms", v.geometry(), (System.nanoTime() - t0) / 1_000_000);
        return slices;
    }

    /** The run's implant and completed-skull surfaces for the viewer, in its folder; missing inputs are skipped. */
    static void prepareRun(DesignOutcome o, Path folder) throws IOException {
        TriangleMesh implant = MeshIO.read(o.implantStl());
        if (!implant.isEmpty()) {
            TriangleMesh small = toRas(MeshDecimator.toTriangleCount(implant, IMPLANT_TRIANGLES));
            Mz3.write(small, null, folder.resolve(IMPLANT_MESH));
            writeThicknessMesh(small, folder.resolve(THICKNESS_MESH));
        }
        if (o.completedSkullNrrd() != null && Files.isRegularFile(o.completedSkullNrrd())) {
            Volume completed = VolumeIO.read(o.completedSkullNrrd());
            TriangleMesh m = surface(downsample(completed, MAX_SLICE_SIDE), 0.5, COMPLETED_TRIANGLES);
            if (m != null) Mz3.write(m, null, folder.resolve(COMPLETED_MESH));
        }
        try {
            PartFiles.prepare(folder); // the mould's zip and its halves opened apart, when the run made a mould
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot prepare the mould's download and view files in {}: {}", folder, e.toString());
        }
    }

    /**
     * The thickness map: {@code mesh} coloured per vertex by wall thickness on the scale of design's
     * {@code --thickness-preview} picture. A mirrored (RAS) copy measures the same, since thickness is a distance.
     */
    static void writeThicknessMesh(TriangleMesh mesh, Path file) {
        // Colours only: NiiVue's MZ3 reader fails on a file with both colours and scalars ("Invalid typed array
        // length"), and the page draws the colours; the values in mm are in design's --thickness-map PLY.
        Mz3.write(mesh, ThicknessMap.vertexColours(Thickness.perVertex(mesh)), null, file);
    }

    /** The view files a run offers, by URL name (file kinds), in the order the page lists them. */
    static final List<String> RUN_KINDS = List.of("implant.mz3", "completed.mz3", "thickness.mz3");

    static Path runFile(Path folder, String kind) {
        Path p = switch (kind) {
            case "implant.mz3" -> folder.resolve(IMPLANT_MESH);
            case "completed.mz3" -> folder.resolve(COMPLETED_MESH);
            case "thickness.mz3" -> folder.resolve(THICKNESS_MESH);
            default -> null;
        };
        // never a link: the workspace folder may have been changed by hand while the server was stopped
        return p != null && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? p : null;
    }

    /** The iso-surface at {@code level}, decimated to about {@code triangles}, in RAS mm; null when empty. */
    static TriangleMesh surface(Volume v, double level, int triangles) {
        TriangleMesh m = MarchingCubes.extract(v, level);
        if (m.isEmpty()) return null;
        return toRas(MeshDecimator.toTriangleCount(m, triangles));
    }

    /** Bone: half-way for masks, 300 HU for CT in Hounsfield units, else half-way through the value range. */
    static double boneLevel(boolean binary, double[] range) {
        if (binary) return 0.5;
        if (range != null && range[0] < -500 && range[1] > 300) return 300;
        return range == null ? 0.5 : (range[0] + range[1]) / 2;
    }

    /** LPS mm (the pipeline's) to RAS mm (the viewer's): x and y change sign; a rotation, so windings stay. */
    static TriangleMesh toRas(TriangleMesh m) {
        float[] v = m.vertices().clone();
        for (int i = 0; i < v.length; i += 3) {
            v[i] = -v[i];
            v[i + 1] = -v[i + 1];
        }
        return new TriangleMesh(v, m.triangles());
    }

    private static boolean isIntegral(Volume v) {
        VoxelType t = v.sourceType();
        return t != null && t.isInteger() && t.bytes() <= 2;
    }

    /**
     * Averages blocks of f x f x f voxels, with the smallest whole f that brings every side to at most
     * {@code maxSide}; the result covers the same space (its voxel centres are the blocks' centres). Answers
     * {@code v} itself when it is small enough.
     */
    static Volume downsample(Volume v, int maxSide) {
        Geometry g = v.geometry();
        int longest = Math.max(g.nx(), Math.max(g.ny(), g.nz()));
        int f = (longest + maxSide - 1) / maxSide;
        if (f <= 1) return v;
        int nx = (g.nx() + f - 1) / f, ny = (g.ny() + f - 1) / f, nz = (g.nz() + f - 1) / f;
        double[] m = g.matrix();
        double[] scaled = new double[9];
        for (int i = 0; i < 9; i++) scaled[i] = m[i] * f;
        double c = (f - 1) / 2.0;
        Geometry target = new Geometry(nx, ny, nz, g.indexToPhysical(c, c, c), scaled);
        float[] sum = new float[nx * ny * nz];
        short[] count = new short[sum.length];
        for (int z = 0; z < g.nz(); z++) {
            int tz = z / f;
            for (int y = 0; y < g.ny(); y++) {
                int row = nx * (y / f + ny * tz);
                int src = g.index(0, y, z);
                for (int x = 0; x < g.nx(); x++) {
                    int t = row + x / f;
                    sum[t] += (float) v.get(src + x);
                    count[t]++;
                }
            }
        }
        for (int i = 0; i < sum.length; i++) sum[i] /= count[i];
        FloatVolume out = new FloatVolume(target, sum, v.sourceType());
        return out;
    }
}
