package org.calvaria.normalise;

import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** The physical positions (LPS mm) of a mask's set voxels: the one place this package turns an index into LPS. */
public final class VoxelCentres {
    private VoxelCentres() {}

    /** Receives one set voxel: its linear index and its centre. */
    @FunctionalInterface
    public interface Action {
        void accept(int index, double x, double y, double z);
    }

    /**
     * Calls {@code action} with the physical centre of every set voxel of {@code mask}, in increasing index order
     * ({@link Geometry#indexToPhysical}, exact for sheared and oblique grids).
     */
    public static void forEachSet(MaskVolume mask, Action action) {
        Geometry g = mask.geometry();
        int nx = g.nx(), ny = g.ny();
        double[] p = new double[3];
        mask.forEachSet(i -> {
            int x = i % nx, r = i / nx, y = r % ny, z = r / ny;
            g.indexToPhysical(x, y, z, p);
            action.accept(i, p[0], p[1], p[2]);
        });
    }
}
