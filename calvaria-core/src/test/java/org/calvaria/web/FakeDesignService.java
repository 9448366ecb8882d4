package org.calvaria.web;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.Provenance;
import org.calvaria.implant.DesignStage;
import org.calvaria.implant.ImplantDesigner;
import org.calvaria.io.NrrdIO;
import org.calvaria.io.VolumeIO;
import org.calvaria.manufacture.Manufacture;
import org.calvaria.manufacture.Mould;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.normalise.CranialRays;
import org.calvaria.normalise.Hole;
import org.calvaria.normalise.HoleFinder;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;

/**
 * A stand-in for the real pipeline, for tests only: it reads the skull, "designs" a ball of bone at the top of it
 * (a cap of the vault's shell within 12 + 20 * threshold mm of the top, so the threshold visibly
 * matters; on the test skull it plugs the hole), and writes every file the real one would.
 * Its figures are computed from what it wrote, so tests can check them against the downloads. It finds the holes
 * and measures how much of each its cap closes with the real pipeline's code, so the page's verdict is real: a hole
 * at the vertex is closed, a hole in the side is not.
 */
final class FakeDesignService implements DesignService {
    private final long stageDelayMillis;
    private final String failAtStage;

    FakeDesignService(long stageDelayMillis) {
        this(stageDelayMillis, null);
    }

    /** @param failAtStage a stage name at which to fail with a CalvariaException, or null */
    FakeDesignService(long stageDelayMillis, String failAtStage) {
        this.stageDelayMillis = stageDelayMillis;
        this.failAtStage = failAtStage;
    }

    static double radiusMm(double threshold) {
        return 12 + 20 * threshold;
    }

    /** The middle of the volume's x-y extent, at the height of the highest bone voxel (mm). */
    private static double[] topCentre(MaskVolume bone) {
        Geometry g = bone.geometry();
        for (int z = g.nz() - 1; z >= 0; z--) {
            for (int i = g.index(0, 0, z), end = i + g.nx() * g.ny(); i < end; i++) {
                if (bone.isSet(i)) return g.indexToPhysical((g.nx() - 1) / 2.0, (g.ny() - 1) / 2.0, z);
            }
        }
        throw new IllegalStateException("no bone");
    }

    /**
     * {inner, outer, cx, cy, cz}: the bone's centroid c, and the smallest and largest distance from c of the bone
     * around {@code near} (within radius + 3 mm, or further when there is none). Between them lies
     * the vault's shell there, which the fake implant fills.
     */
    private static double[] shellRadii(MaskVolume bone, double[] near, double radius) {
        Geometry g = bone.geometry();
        double[] sum = new double[3];
        long[] n = {0};
        double[] p = new double[3];
        bone.forEachSet(i -> {
            g.indexToPhysical(i % g.nx(), (i / g.nx()) % g.ny(), i / (g.nx() * g.ny()), p);
            for (int k = 0; k < 3; k++) sum[k] += p[k];
            n[0]++;
        });
        double[] c = {sum[0] / n[0], sum[1] / n[0], sum[2] / n[0]};
        double[] range = {Double.POSITIVE_INFINITY, 0};
        // The rim of bone just around the implant; widened until some bone is found (small radius, wide hole).
        for (double reach = radius + 3; range[1] == 0; reach *= 1.5) {
            double limit = reach;
            bone.forEachSet(i -> {
                g.indexToPhysical(i % g.nx(), (i / g.nx()) % g.ny(), i / (g.nx() * g.ny()), p);
                if (distance(p, near) <= limit) {
                    double r = distance(p, c);
                    range[0] = Math.min(range[0], r);
                    range[1] = Math.max(range[1], r);
                }
            });
        }
        return new double[] {range[0], range[1], c[0], c[1], c[2]};
    }

    private static double distance(double[] a, double[] b) {
        double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }

    @Override
    public DesignOutcome design(Path input, Path outputFolder, double threshold, Consumer<DesignStage> stageListener)
            throws Exception {
        return design(input, outputFolder, DesignRequest.defaults(threshold), stageListener);
    }

    /**
     * Also makes the parts the request asks for with the real manufacturing code (mould, fit check, 3MF of all
     * parts), from a marching-cubes mesh of the fake implant; clearance and thickness are only recorded in the report.
     */
    @Override
    public DesignOutcome design(
            Path input, Path outputFolder, DesignRequest request, Consumer<DesignStage> stageListener)
            throws Exception {
        double threshold = request.threshold();
        long t0 = System.nanoTime();
        stage(DesignStage.READ, stageListener);
        Volume v = VolumeIO.read(input);
        stage(DesignStage.SEGMENT, stageListener);
        MaskVolume bone = v.isBinary() ? MaskVolume.requireBinary(v, "the skull") : MaskVolume.threshold(v, 300);
        if (bone.isEmpty()) throw new CalvariaException("the skull holds no bone voxels; check the file");
        stage(DesignStage.NORMALISE, stageListener);
        stage(DesignStage.COMPLETE, stageListener);
        stage(DesignStage.MAP_BACK, stageListener);
        stage(DesignStage.IMPLANT, stageListener);
        Geometry g = bone.geometry();
        double radius = radiusMm(threshold);
        double[] centre = topCentre(bone);
        double[] shell = shellRadii(bone, centre, radius);
        double[] bc = {shell[2], shell[3], shell[4]};
        MaskVolume implant = new MaskVolume(g);
        double[] p = new double[3];
        int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] hi = {-1, -1, -1};
        for (int z = 0; z < g.nz(); z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    int i = g.index(x, y, z);
                    if (bone.isSet(i)) continue;
                    g.indexToPhysical(x, y, z, p);
                    if (distance(p, centre) > radius) continue;
                    double r = distance(p, bc);
                    if (r < shell[0] || r > shell[1]) continue;
                    implant.set(i, true);
                    lo[0] = Math.min(lo[0], x);
                    lo[1] = Math.min(lo[1], y);
                    lo[2] = Math.min(lo[2], z);
                    hi[0] = Math.max(hi[0], x);
                    hi[1] = Math.max(hi[1], y);
                    hi[2] = Math.max(hi[2], z);
                }
            }
        }
        Provenance.stamp(implant, "fake design, threshold " + threshold);
        Path implantNrrd = outputFolder.resolve("implant.nrrd");
        NrrdIO.write(implant, implantNrrd);
        MaskVolume completed = bone.copy().or(implant);
        // The holes and how much of each the fake implant closes, measured as the real pipeline does.
        CranialRays before = CranialRays.cast(bone);
        List<Hole> holes = HoleFinder.find(before);
        CranialRays after = CranialRays.cast(completed, before.centre());
        List<Double> closed = new ArrayList<>();
        List<Map<String, Object>> holeReports = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Hole h : holes) {
            double c = Math.round(ImplantDesigner.closedShare(after, h) * 1000) / 1000.0;
            closed.add(c);
            @SuppressWarnings("unchecked")
            Map<String, Object> one = new LinkedHashMap<>(Json.MAPPER.convertValue(h.report(), Map.class));
            one.put("designed", true);
            one.put("closedFraction", c);
            holeReports.add(one);
            if (c < 0.95) {
                warnings.add(String.format(
                        java.util.Locale.ROOT,
                        "the implant closes only %.0f%% of the %s; do not" + " use it without review",
                        100 * c,
                        h.summary()));
            }
        }
        Path rimsStl = RimMarks.write(holes, closed, outputFolder);
        Path holesJson = outputFolder.resolve("holes.json");
        Path completedNrrd = outputFolder.resolve("completed.nrrd");
        NrrdIO.write(completed, completedNrrd);

        stage(DesignStage.MESH, stageListener);
        Path stl = outputFolder.resolve("implant.stl");
        double area = TestStl.writeVoxelSurface(implant, stl);
        Path preview = outputFolder.resolve("preview.png");
        ImageIO.write(topView(bone, implant), "png", preview.toFile());
        Manufacture.Options parts = request.manufactureIn(outputFolder);
        if (!implant.isEmpty() && (request.mould() || request.fitCheck())) {
            TriangleMesh mesh = MarchingCubes.extract(implant);
            TriangleMesh fit =
                    request.fitCheck() ? Manufacture.fitCheck(bone, implant, parts.fitCheckMarginMm()) : null;
            Mould.Result mould = request.mould() ? Mould.build(mesh, parts.mould()) : null;
            if (fit != null) MeshIO.write(fit, parts.fitCheck(), false, "fake design (fit-check model)");
            if (mould != null) Mould.write(mould, mesh, parts.mouldDir(), "fake design");
            Manufacture.write3mf(parts.threeMf(), mesh, new Manufacture.Extras(fit, mould), "fake design");
        }

        double[] spacing = g.spacing();
        double ml = implant.cardinality() * g.voxelVolumeMm3() / 1000.0;
        double[] box = implant.isEmpty()
                ? new double[3]
                : new double[] {
                    (hi[0] - lo[0] + 1) * spacing[0], (hi[1] - lo[1] + 1) * spacing[1], (hi[2] - lo[2] + 1) * spacing[2]
                };
        double seconds = (System.nanoTime() - t0) / 1e9;
        DesignOutcome.Figures figures = new DesignOutcome.Figures(ml, area, box, seconds);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("made_by", Provenance.line("fake design (test)"));
        report.put("threshold", threshold);
        report.put("manufacture", request.describe());
        report.put("implant_volume_ml", ml);
        report.put("surface_area_mm2", area);
        report.put("bounding_box_mm", box);
        report.put("implant_voxels", implant.cardinality());
        report.put("seconds", seconds);
        report.put("holes", holeReports);
        report.put("implant", Map.of("components", ConnectedComponents.count(implant, 26)));
        report.put("warnings", warnings);
        Path reportJson = outputFolder.resolve("report.json");
        Json.MAPPER.writeValue(reportJson.toFile(), report);
        return new DesignOutcome(stl, implantNrrd, completedNrrd, reportJson, preview, figures, holesJson, rimsStl);
    }

    private void stage(DesignStage stage, Consumer<DesignStage> listener) throws InterruptedException {
        listener.accept(stage);
        String name = stage.label();
        if (name.equals(failAtStage)) {
            throw new CalvariaException("the fake pipeline failed at '" + name + "' on purpose");
        }
        if (stageDelayMillis > 0) Thread.sleep(stageDelayMillis);
    }

    /** Looking down the z axis: implant red, bone grey by height. */
    private static BufferedImage topView(MaskVolume bone, MaskVolume implant) {
        Geometry g = bone.geometry();
        BufferedImage img = new BufferedImage(g.nx(), g.ny(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < g.ny(); y++) {
            for (int x = 0; x < g.nx(); x++) {
                int rgb = 0;
                for (int z = g.nz() - 1; z >= 0; z--) {
                    int i = g.index(x, y, z);
                    if (implant.isSet(i)) {
                        rgb = 0xe8463c;
                        break;
                    }
                    if (bone.isSet(i)) {
                        int grey = 80 + 170 * z / Math.max(1, g.nz() - 1);
                        rgb = grey << 16 | grey << 8 | grey;
                        break;
                    }
                }
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }
}
