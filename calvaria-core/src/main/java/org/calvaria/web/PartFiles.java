package org.calvaria.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.calvaria.Json;
import org.calvaria.mesh.MeshDecimator;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.Mz3;
import org.calvaria.mesh.TriangleMesh;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manufacturing parts a run offers (issue 11): the two-part casting mould, the fit-check model and a 3MF with
 * every part, as downloads; and the mould halves opened apart, as meshes for the viewer. The design service writes
 * the parts into the run's folder under {@link DesignRequest}'s fixed names; {@link #prepare} adds the zip of the
 * halves and the view meshes. Every file is found by a fixed name in the run's own folder, never by anything the
 * request names, and never through a link.
 */
final class PartFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PartFiles.class);

    /** Downloads, by the name used in the URL, in the order the page lists them. */
    static final List<String> DOWNLOADS =
            List.of("mould.zip", "mould-outer.stl", "mould-inner.stl", "mould.3mf", "fit-check.stl", "implant.3mf");
    /** View meshes: the halves in RAS mm, moved apart along the pull direction. */
    static final List<String> VIEWS = List.of("mould-outer.mz3", "mould-inner.mz3");

    /** How far each half is moved from its place along the pull direction in the view, mm. */
    static final double OPEN_MM = 15;
    /** Triangle budget of each half's view mesh. */
    static final int HALF_TRIANGLES = 40_000;

    private static final String ZIP = "mould.zip";

    private PartFiles() {}

    /** The file of {@code kind} in the run's folder, or null when the run has none (or the kind is unknown). */
    static Path file(Path folder, String kind) {
        Path mould = folder.resolve(DesignRequest.MOULD_FOLDER);
        Path p = switch (kind) {
            case "mould.zip" -> folder.resolve(ZIP);
            case "mould-outer.stl" -> mould.resolve("outer.stl");
            case "mould-inner.stl" -> mould.resolve("inner.stl");
            case "mould.3mf" -> mould.resolve("mould.3mf");
            case "fit-check.stl" -> folder.resolve(DesignRequest.FIT_CHECK_STL);
            case "implant.3mf" -> folder.resolve(DesignRequest.ALL_PARTS_3MF);
            case "mould-outer.mz3" -> folder.resolve("view-mould-outer.mz3");
            case "mould-inner.mz3" -> folder.resolve("view-mould-inner.mz3");
            default -> null;
        };
        if (p == null || Files.isSymbolicLink(mould)) return null;
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
    }

    /**
     * After a design: the zip of the mould's halves (outer.stl, inner.stl, report.json) and the view meshes of the
     * halves opened apart. Does nothing when the run made no mould.
     */
    static void prepare(Path folder) throws IOException {
        Path outer = file(folder, "mould-outer.stl"), inner = file(folder, "mould-inner.stl");
        if (outer == null || inner == null) return;
        Path mould = folder.resolve(DesignRequest.MOULD_FOLDER);
        Path tmp = folder.resolve(ZIP + ".part");
        try (OutputStream out = Files.newOutputStream(tmp);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String name : List.of("outer.stl", "inner.stl", "report.json")) {
                Path f = mould.resolve(name);
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) continue;
                zip.putNextEntry(new ZipEntry("mould/" + name));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        Files.move(tmp, folder.resolve(ZIP), StandardCopyOption.REPLACE_EXISTING);
        double[] pull = pullRas(mould.resolve("report.json"));
        writeView(outer, pull, OPEN_MM, folder.resolve("view-mould-outer.mz3"));
        writeView(inner, pull, -OPEN_MM, folder.resolve("view-mould-inner.mz3"));
    }

    /** The mould's pull direction (report.json, LPS) in the viewer's RAS; straight up when the report lacks it. */
    static double[] pullRas(Path report) {
        try {
            JsonNode a = Json.MAPPER.readTree(report.toFile()).path("pullDirectionLps");
            if (a.isArray() && a.size() == 3) {
                double x = -a.get(0).asDouble(),
                        y = -a.get(1).asDouble(),
                        z = a.get(2).asDouble();
                double l = Math.sqrt(x * x + y * y + z * z);
                if (l > 1e-9) return new double[] {x / l, y / l, z / l};
            }
        } catch (IOException e) {
            LOG.debug("cannot read the mould's pull direction from {}: {}", report, e.toString());
        }
        return new double[] {0, 0, 1};
    }

    /** One half, decimated, in RAS, moved {@code byMm} along {@code pull}. */
    private static void writeView(Path stl, double[] pull, double byMm, Path file) throws IOException {
        TriangleMesh m = ViewFiles.toRas(MeshDecimator.toTriangleCount(MeshIO.read(stl), HALF_TRIANGLES));
        float[] v = m.vertices().clone();
        for (int i = 0; i < v.length; i += 3) {
            for (int k = 0; k < 3; k++) v[i + k] += (float) (pull[k] * byMm);
        }
        Mz3.write(new TriangleMesh(v, m.triangles()), null, file);
    }
}
