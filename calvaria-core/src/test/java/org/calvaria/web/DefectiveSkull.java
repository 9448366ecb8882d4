package org.calvaria.web;

import java.nio.file.Path;
import org.calvaria.Provenance;
import org.calvaria.io.NrrdIO;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.Cuts;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** A synthetic skull with a round defect at the vertex: the web tests' stand-in for a patient's scan. */
final class DefectiveSkull {
    /** Radius of the spherical hole cut into the vault, mm. */
    static final double HOLE_RADIUS_MM = 22;

    private DefectiveSkull() {}

    /** The skull of {@link SyntheticSkull} (seed 7) on a grid of {@code spacing} mm, with the hole cut. */
    static MaskVolume make(double spacing) {
        SyntheticSkull skull = new SyntheticSkull(7);
        MaskVolume m = skull.rasterize(spacing, spacing);
        double top = 0;
        for (double z = 150; z > 0; z -= 0.25) {
            if (skull.isBone(0, 0, z)) {
                top = z;
                break;
            }
        }
        double[] centre = {0, 0, top};
        Geometry g = m.geometry();
        double[] p = new double[3];
        for (int z = 0; z < g.nz(); z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    g.indexToPhysical(x, y, z, p);
                    double dx = p[0] - centre[0], dy = p[1] - centre[1], dz = p[2] - centre[2];
                    if (dx * dx + dy * dy + dz * dz < HOLE_RADIUS_MM * HOLE_RADIUS_MM) m.set(g.index(x, y, z), false);
                }
            }
        }
        Provenance.stamp(m, "synthetic defective skull for the web tests");
        return m;
    }

    /** The same skull with a ball of {@code radiusMm} cut from its left side, a little above the equator. */
    static MaskVolume sideHole(double spacing, double radiusMm) {
        MaskVolume m = new SyntheticSkull(7).rasterize(spacing, spacing);
        MaskVolume cut = Cuts.withoutBall(m, Cuts.unit(1, 0, 0.35), radiusMm);
        Provenance.stamp(cut, "synthetic skull with a left-side hole for the web tests");
        return cut;
    }

    static Path writeSideHole(double spacing, Path file) {
        NrrdIO.write(sideHole(spacing, 30), file);
        return file;
    }

    /** The same skull without any hole: an intact skull, for which no implant should be trusted. */
    static Path writeIntact(double spacing, Path file) {
        MaskVolume m = new SyntheticSkull(7).rasterize(spacing, spacing);
        Provenance.stamp(m, "synthetic intact skull for the web tests");
        NrrdIO.write(m, file);
        return file;
    }

    static Path write(double spacing, Path file) {
        NrrdIO.write(make(spacing), file);
        return file;
    }
}
