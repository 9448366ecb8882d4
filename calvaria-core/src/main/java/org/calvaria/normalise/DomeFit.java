package org.calvaria.normalise;

import java.util.Arrays;
import org.calvaria.volume.MaskVolume;

/**
 * The top of the cranial dome, robust to defects that remove the real vertex: a paraboloid fitted to the dome's outer
 * surface (see {@link NetworkGrid} for the rule and the figures that justify it).
 */
final class DomeFit {
    private DomeFit() {}

    /** Cell size (mm) of the top-view height map used to fit the cranial dome. */
    private static final double HEIGHT_CELL_MM = 2.0;
    /** Height-map cells more than this below the fitted dome are holes (defects), not surface. */
    private static final double HOLE_DEPTH_MM = 2.5;

    /**
     * The vertex of a paraboloid fitted to the outer surface of the cranial dome, robust to defects at the top: a
     * top-view height map (highest bone per 2 mm column) over the central 90% of the band's outline is fitted by
     * least squares, columns lying more than 2.5 mm below the fit (holes) are dropped and the fit repeated. Returns
     * {x, y, z} of the fitted dome's highest point, or null when too few columns remain or the fit is implausible.
     */
    static double[] fittedVertex(MaskVolume skull, double top, double[] band) {
        double cx = (band[0] + band[3]) / 2, cy = (band[1] + band[4]) / 2;
        double ax = (band[3] - band[0]) / 2, ay = (band[4] - band[1]) / 2;
        if (ax < 10 || ay < 10) return null;
        int cellsX = (int) Math.ceil(2 * ax / HEIGHT_CELL_MM) + 1,
                cellsY = (int) Math.ceil(2 * ay / HEIGHT_CELL_MM) + 1;
        double x0 = cx - ax, y0 = cy - ay;
        double[] height = new double[cellsX * cellsY];
        Arrays.fill(height, Double.NEGATIVE_INFINITY);
        double lowest = band[2];
        VoxelCentres.forEachSet(skull, (i, px, py, pz) -> {
            if (pz < lowest) return;
            int cxI = (int) ((px - x0) / HEIGHT_CELL_MM), cyI = (int) ((py - y0) / HEIGHT_CELL_MM);
            if (cxI < 0 || cyI < 0 || cxI >= cellsX || cyI >= cellsY) return;
            int c = cxI + cellsX * cyI;
            if (pz > height[c]) height[c] = pz;
        });
        // Candidate columns: inside 90% of the outline ellipse, in normalised coordinates (u, v).
        int n = 0;
        double[] us = new double[height.length], vs = new double[height.length], hs = new double[height.length];
        for (int j = 0; j < cellsY; j++) {
            for (int i = 0; i < cellsX; i++) {
                double u = (x0 + (i + 0.5) * HEIGHT_CELL_MM - cx) / ax, v = (y0 + (j + 0.5) * HEIGHT_CELL_MM - cy) / ay;
                if (u * u + v * v > 0.9 * 0.9) continue;
                us[n] = u;
                vs[n] = v;
                hs[n] = height[i + cellsX * j];
                n++;
            }
        }
        if (n < 30) return null;
        boolean[] candidate = new boolean[n];
        for (int k = 0; k < n; k++) candidate[k] = hs[k] > Double.NEGATIVE_INFINITY;
        double[] wide = robustFit(us, vs, hs, candidate, n);
        if (wide == null) return null;
        double[] apex = apex(wide, us, vs, n);
        // A paraboloid over the whole outline overshoots a rounded dome's top by a few mm; refit on the cap (columns
        // whose fitted height is within CAP_MM of the apex) when enough of it is intact.
        boolean[] cap = new boolean[n];
        for (int k = 0; k < n; k++) cap[k] = candidate[k] && quadric(wide, us[k], vs[k]) >= apex[2] - CAP_MM;
        double[] capFit = robustFit(us, vs, hs, cap, n);
        if (capFit != null) {
            double[] capApex = apex(capFit, us, vs, n);
            if (Math.abs(capApex[2] - apex[2]) < 10) apex = capApex;
        }
        // A dome cannot rise far above the highest bone found.
        if (apex[2] > top + 40) return null;
        return new double[] {cx + apex[0] * ax, cy + apex[1] * ay, apex[2]};
    }

    /** Height range below the first apex used for the refined cap fit, mm. */
    private static final double CAP_MM = 25;

    /**
     * Paraboloid fitted to the candidate columns, dropping columns more than {@link #HOLE_DEPTH_MM} below it and
     * refitting; null when fewer than max(30, 1/6 of the candidates) remain or it does not open downwards.
     */
    private static double[] robustFit(double[] us, double[] vs, double[] hs, boolean[] candidate, int n) {
        int candidates = 0;
        for (int k = 0; k < n; k++) if (candidate[k]) candidates++;
        int needed = Math.max(30, candidates / 6);
        boolean[] use = candidate.clone();
        int used = candidates;
        double[] coef = null;
        for (int iter = 0; iter < 8; iter++) {
            if (used < needed) return null;
            coef = fitQuadric(us, vs, hs, use, n);
            if (coef == null) return null;
            int changed = 0;
            used = 0;
            for (int k = 0; k < n; k++) {
                boolean keep = candidate[k] && hs[k] - quadric(coef, us[k], vs[k]) >= -HOLE_DEPTH_MM;
                if (keep != use[k]) changed++;
                use[k] = keep;
                if (keep) used++;
            }
            if (changed == 0) break;
        }
        if (used < needed || coef[3] >= 0 || coef[4] >= 0) return null;
        return coef;
    }

    /** {u, v, z} of the highest fitted point among the columns. */
    private static double[] apex(double[] coef, double[] us, double[] vs, int n) {
        double[] best = {0, 0, Double.NEGATIVE_INFINITY};
        for (int k = 0; k < n; k++) {
            double z = quadric(coef, us[k], vs[k]);
            if (z > best[2]) best = new double[] {us[k], vs[k], z};
        }
        return best;
    }

    private static double quadric(double[] c, double u, double v) {
        return c[0] + c[1] * u + c[2] * v + c[3] * u * u + c[4] * v * v + c[5] * u * v;
    }

    /** Least-squares z = c0 + c1 u + c2 v + c3 u^2 + c4 v^2 + c5 u v over the used points; null when singular. */
    private static double[] fitQuadric(double[] us, double[] vs, double[] hs, boolean[] use, int n) {
        double[][] a = new double[6][7];
        double[] f = new double[6];
        for (int k = 0; k < n; k++) {
            if (!use[k]) continue;
            double u = us[k], v = vs[k];
            f[0] = 1;
            f[1] = u;
            f[2] = v;
            f[3] = u * u;
            f[4] = v * v;
            f[5] = u * v;
            for (int r = 0; r < 6; r++) {
                for (int c = 0; c < 6; c++) a[r][c] += f[r] * f[c];
                a[r][6] += f[r] * hs[k];
            }
        }
        for (int col = 0; col < 6; col++) {
            int piv = col;
            for (int r = col + 1; r < 6; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
            if (Math.abs(a[piv][col]) < 1e-9) return null;
            double[] t = a[col];
            a[col] = a[piv];
            a[piv] = t;
            for (int r = 0; r < 6; r++) {
                if (r == col) continue;
                double factor = a[r][col] / a[col][col];
                for (int c = col; c < 7; c++) a[r][c] -= factor * a[col][c];
            }
        }
        double[] coef = new double[6];
        for (int r = 0; r < 6; r++) coef[r] = a[r][6] / a[r][r];
        return coef;
    }
}
