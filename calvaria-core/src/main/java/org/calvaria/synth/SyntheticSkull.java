package org.calvaria.synth;

import java.util.Random;
import org.calvaria.Provenance;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * A skull-like binary shape of the project's own, for the demo and for tests that must run without real data:
 * an adult-sized cranial vault (ellipsoidal shell, about 150 x 185 x 125 mm outside, 5-8 mm thick bone varying
 * smoothly with position), open at the skull base, with a forehead slope, plus a small random, smooth shape variation
 * from a seed. Coordinates are LPS mm; x = left, y = posterior, z = superior; the vertex is at the top.
 */
public final class SyntheticSkull {
    private final double semiLR, semiAP, semiSI, thickness;
    private final double[] bumpA = new double[6];
    private final double baseZ;

    /** Default adult-sized skull; {@code seed} varies its shape slightly (a few mm). */
    public SyntheticSkull(long seed) {
        Random r = new Random(seed);
        this.semiLR = 72 + 4 * (r.nextDouble() - 0.5);
        this.semiAP = 92 + 6 * (r.nextDouble() - 0.5);
        this.semiSI = 78 + 6 * (r.nextDouble() - 0.5);
        this.thickness = 6.0 + r.nextDouble();
        for (int i = 0; i < bumpA.length; i++) bumpA[i] = 2.5 * (r.nextDouble() - 0.5);
        this.baseZ = -28;
    }

    /** Outer-surface radius scale at direction (ux, uy, uz) on the unit sphere: 1 + smooth variation. */
    private double shapeScale(double ux, double uy, double uz) {
        double s = 1.0;
        s += 0.012 * bumpA[0] * ux + 0.012 * bumpA[1] * uy * uz + 0.012 * bumpA[2] * (ux * ux - uy * uy);
        s += 0.01 * bumpA[3] * Math.sin(3 * ux + 2 * uy) + 0.01 * bumpA[4] * Math.cos(2 * uz + uy);
        // flatter, steeper forehead (anterior = negative y)
        if (uy < -0.3 && uz < 0.5) s -= 0.04 * (-uy - 0.3);
        return s;
    }

    private double localThickness(double ux, double uy, double uz) {
        // thicker at the back and vertex, thinner over the temples
        return thickness * (1 + 0.15 * uz + 0.1 * uy - 0.2 * ux * ux) + 0.5 * bumpA[5] * uz;
    }

    /** True when the physical point (mm, centred on the skull) lies in bone. */
    public boolean isBone(double x, double y, double z) {
        if (z < baseZ) return false;
        double ex = x / semiLR, ey = y / semiAP, ez = z / semiSI;
        double rho = Math.sqrt(ex * ex + ey * ey + ez * ez);
        if (rho < 1e-9) return false;
        double ux = ex / rho, uy = ey / rho, uz = ez / rho;
        double outer = shapeScale(ux, uy, uz);
        // radius along this direction in mm for a unit ellipsoidal rho
        double mmPerRho = Math.sqrt(Math.pow(ux * semiLR, 2) + Math.pow(uy * semiAP, 2) + Math.pow(uz * semiSI, 2));
        double inner = outer - localThickness(ux, uy, uz) / mmPerRho;
        if (rho > outer || rho < inner) return false;
        // foramen magnum-like opening at the back of the base
        if (z < baseZ + 12 && Math.hypot(x, y - 25) < 17) return false;
        return true;
    }

    /** Rasterises the skull on an axis-aligned LPS grid with the given spacing (mm), centred with a margin. */
    public MaskVolume rasterize(double spacingXY, double spacingZ) {
        double margin = 6;
        int nx = (int) Math.ceil((2 * semiLR * 1.08 + 2 * margin) / spacingXY);
        int ny = (int) Math.ceil((2 * semiAP * 1.08 + 2 * margin) / spacingXY);
        int nz = (int) Math.ceil((semiSI * 1.08 - baseZ + 2 * margin) / spacingZ);
        double[] origin = {-(nx - 1) * spacingXY / 2, -(ny - 1) * spacingXY / 2, baseZ - margin};
        Geometry g = Geometry.axisAligned(nx, ny, nz, spacingXY, spacingXY, spacingZ, origin);
        return rasterize(g);
    }

    /** Rasterises the skull onto any grid (points are physical mm, centred on the skull). */
    public MaskVolume rasterize(Geometry g) {
        MaskVolume m = new MaskVolume(g);
        double[] p = new double[3];
        for (int z = 0; z < g.nz(); z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    g.indexToPhysical(x, y, z, p);
                    if (isBone(p[0], p[1], p[2])) m.set(g.index(x, y, z), true);
                }
            }
        }
        Provenance.stamp(m, "synthetic skull");
        return m;
    }
}
