package org.calvaria.manufacture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.Geometry;

/** Writing and drawing a built mould. */
final class MouldFiles {
    private MouldFiles() {}

    /**
     * Writes {@code outer.stl}, {@code inner.stl}, {@code cavity.stl}, {@code mould.3mf} (the halves and the implant
     * as named objects) and {@code report.json} into {@code dir}, all or nothing: the files are written into a hidden
     * sibling folder that is renamed into place at the end. {@code dir} must not exist or be empty.
     */
    static void write(Mould.Result r, TriangleMesh implant, Path dir, String provenance) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                if (!Files.isDirectory(abs)) throw new CalvariaException("output " + dir + " is a file; give a folder");
                try (Stream<Path> s = Files.list(abs)) {
                    if (s.findAny().isPresent()) {
                        throw new CalvariaException(
                                "output folder " + dir + " is not empty; give a new or empty folder");
                    }
                }
            }
            Path parent = abs.getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".part");
            try {
                MeshIO.write(r.outer(), tmp.resolve("outer.stl"), false, provenance + " (mould outer half)");
                MeshIO.write(r.inner(), tmp.resolve("inner.stl"), false, provenance + " (mould inner half)");
                MeshIO.write(r.cavity(), tmp.resolve("cavity.stl"), false, provenance + " (mould cavity)");
                ThreeMf.write(
                        tmp.resolve("mould.3mf"),
                        List.of(
                                new ThreeMf.Part("mould outer half", r.outer()),
                                new ThreeMf.Part("mould inner half", r.inner()),
                                new ThreeMf.Part("implant", implant)),
                        provenance);
                Json.MAPPER.writeValue(tmp.resolve("report.json").toFile(), r.report());
                if (Files.exists(abs)) Files.delete(abs);
                Files.move(tmp, abs);
                tmp = null;
            } finally {
                if (tmp != null) deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the mould's files into {@code dir} (created when missing; it must be new or empty) through
     * {@link org.calvaria.files.Outputs#writeAtomically}, so they join the caller's output set and appear with the
     * caller's other outputs. When writing fails, a folder this call created is removed. Returns a summary for the
     * design report.
     */
    static Map<String, Object> writeInto(Mould.Result r, TriangleMesh implant, Path dir, String provenance) {
        requireNewOrEmpty(dir);
        Path abs = dir.toAbsolutePath().normalize();
        boolean made = !Files.exists(abs);
        boolean hooked = false;
        try {
            Files.createDirectories(abs);
            // a folder made here goes again when the caller's output set is discarded
            hooked = made && org.calvaria.files.OutputSet.onDiscard(() -> deleteTree(abs));
            MeshIO.write(r.outer(), abs.resolve("outer.stl"), false, provenance + " (mould outer half)");
            MeshIO.write(r.inner(), abs.resolve("inner.stl"), false, provenance + " (mould inner half)");
            MeshIO.write(r.cavity(), abs.resolve("cavity.stl"), false, provenance + " (mould cavity)");
            ThreeMf.write(
                    abs.resolve("mould.3mf"),
                    List.of(
                            new ThreeMf.Part("mould outer half", r.outer()),
                            new ThreeMf.Part("mould inner half", r.inner()),
                            new ThreeMf.Part("implant", implant)),
                    provenance);
            org.calvaria.files.Outputs.writeAtomically(
                    abs.resolve("report.json"), out -> out.write(Json.MAPPER.writeValueAsBytes(r.report())));
        } catch (IOException | RuntimeException e) {
            if (made && !hooked) deleteTree(abs);
            if (e instanceof RuntimeException re) throw re;
            throw new CalvariaException("cannot write " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("folder", dir.toString());
        m.put("files", List.of("outer.stl", "inner.stl", "cavity.stl", "mould.3mf", "report.json"));
        for (String k : List.of("cavityVolumeMl", "pmmaVolumeMl", "pmmaMassG", "halves", "undercuts", "warnings")) {
            m.put(k, r.report().get(k));
        }
        return m;
    }

    /**
     * A picture of the mould opened apart: the halves and the implant turned so that the pull direction points up
     * (superior), the outer half lifted and the inner half lowered by {@code gapMm}, the implant between them.
     */
    static java.awt.image.BufferedImage render(Mould.Result r, TriangleMesh implant, String title, double gapMm) {
        Geometry g = r.grid();
        double[] e1 = unit(g.axisVector(0)), e2 = unit(g.axisVector(1)), a = r.pull();
        double[] c = g.center();
        org.calvaria.render.PreviewRenderer pr = new org.calvaria.render.PreviewRenderer(500);
        return pr.render(
                List.of(
                        new org.calvaria.render.PreviewRenderer.Layer(
                                inFrame(r.inner(), c, e1, e2, a, -gapMm), new java.awt.Color(120, 150, 190)),
                        new org.calvaria.render.PreviewRenderer.Layer(
                                inFrame(implant, c, e1, e2, a, 0), org.calvaria.render.PreviewRenderer.IMPLANT),
                        new org.calvaria.render.PreviewRenderer.Layer(
                                inFrame(r.outer(), c, e1, e2, a, gapMm), new java.awt.Color(190, 205, 225))),
                title);
    }

    static double[] unit(double[] v) {
        double l = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return new double[] {v[0] / l, v[1] / l, v[2] / l};
    }

    /** The mesh in the mould's frame (x, y in-plane, z along the pull), shifted by {@code dz} along z. */
    static TriangleMesh inFrame(TriangleMesh m, double[] c, double[] e1, double[] e2, double[] a, double dz) {
        float[] v = m.vertices(), out = new float[v.length];
        for (int i = 0; i < v.length; i += 3) {
            double x = v[i] - c[0], y = v[i + 1] - c[1], z = v[i + 2] - c[2];
            out[i] = (float) (x * e1[0] + y * e1[1] + z * e1[2]);
            out[i + 1] = (float) (x * e2[0] + y * e2[1] + z * e2[2]);
            out[i + 2] = (float) (x * a[0] + y * a[1] + z * a[2] + dz);
        }
        return new TriangleMesh(out, m.triangles());
    }

    /** Refuses (one line) a mould folder that is a file or a folder with something in it. */
    static void requireNewOrEmpty(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.exists(abs)) return;
        if (!Files.isDirectory(abs)) throw new CalvariaException("output " + dir + " is a file; give a folder");
        try (Stream<Path> s = Files.list(abs)) {
            if (s.findAny().isPresent()) {
                throw new CalvariaException("output folder " + dir + " is not empty; give a new or empty folder");
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.deleteIfExists(q);
                } catch (IOException ignored) {
                    // best effort: a hidden, named temporary folder
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
