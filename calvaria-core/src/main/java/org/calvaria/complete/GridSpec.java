package org.calvaria.complete;

import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.normalise.NetworkGrid;

/**
 * The network's input grid: voxel counts along x, y, z (z = superior) and the physical coverage parameter of the
 * mapping from a skull to this grid ({@code heightMm}: how far below the vertex the grid reaches). The mapping itself
 * belongs to the normalisation code; the model file stores these numbers so that inference uses the same mapping as
 * training. The paper's grid is 112 x 112 x 40.
 */
public record GridSpec(int nx, int ny, int nz, double heightMm, Placement placement) {
    /** How the grid is put on a skull. */
    public enum Placement {
        /** Under the vertex, axis-aligned (Wu et al. 2022). */
        VERTEX("vertex"),
        /** Turned to each hole found in the vault: centred on it, its axis along the hole's outward normal. */
        DEFECT("defect");

        private final String id;

        Placement(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Placement parse(String s) {
            for (Placement p : values()) if (p.id.equalsIgnoreCase(s.trim())) return p;
            throw new CalvariaException("unknown grid placement '" + s + "'; use vertex or defect");
        }
    }

    /** A vertex-placed grid (the paper's). */
    public GridSpec(int nx, int ny, int nz, double heightMm) {
        this(nx, ny, nz, heightMm, Placement.VERTEX);
    }

    /** The same grid placed another way. */
    public GridSpec withPlacement(Placement p) {
        return new GridSpec(nx, ny, nz, heightMm, p);
    }

    /** Largest accepted voxel count (a 512^3 grid), to reject absurd sizes before allocating. */
    public static final long MAX_VOXELS = 512L * 512 * 512;

    public GridSpec {
        if (placement == null) placement = Placement.VERTEX;
        if (nx <= 0 || ny <= 0 || nz <= 0) {
            throw new CalvariaException("network grid " + nx + "x" + ny + "x" + nz + " must have positive sizes");
        }
        int d = Architecture.GRID_DIVISOR;
        if (nx % d != 0 || ny % d != 0 || nz % d != 0) {
            throw new CalvariaException("network grid " + nx + "x" + ny + "x" + nz + " must be divisible by " + d
                    + " along every axis (three 2x poolings); use e.g. 112x112x40");
        }
        if ((long) nx * ny * nz > MAX_VOXELS) {
            throw new CalvariaException(
                    "network grid " + nx + "x" + ny + "x" + nz + " is too large (over 512^3 voxels)");
        }
        if (!(heightMm > 0) || !Double.isFinite(heightMm)) {
            throw new CalvariaException("network grid height " + heightMm + " mm must be a positive number");
        }
    }

    /** The paper's 112 x 112 x 40 grid with the given coverage height. */
    public static GridSpec paper(double heightMm) {
        return new GridSpec(112, 112, 40, heightMm);
    }

    public int voxelCount() {
        return nx * ny * nz;
    }

    /** The same grid as the normalisation code's {@link NetworkGrid}, which places it on a skull and resamples. */
    public NetworkGrid networkGrid() {
        return new NetworkGrid(nx, ny, nz, heightMm);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%dx%dx%d (height %.1f mm%s)",
                nx,
                ny,
                nz,
                heightMm,
                placement == Placement.VERTEX ? "" : ", placed on each hole");
    }
}
