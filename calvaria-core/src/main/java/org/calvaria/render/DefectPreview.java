package org.calvaria.render;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.function.IntPredicate;
import javax.imageio.ImageIO;
import org.calvaria.files.Outputs;
import org.calvaria.morphology.BoundingBox;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.MaskVolume;

/**
 * A quick look at a defect: the upper cranium seen from above (left) and from the patient's left (right), shaded by
 * depth, with the removed bone in red. Drawn from the network grid, so it works for any scan geometry.
 */
public final class DefectPreview {
    private static final int ZOOM = 3;
    /** Background where a ray meets no bone. */
    private static final int EMPTY = 0x101018;

    private DefectPreview() {}

    public static BufferedImage render(MaskVolume defective, MaskVolume implant, GridPlacement p, NetworkGrid grid) {
        MaskVolume d = onGrid(defective, p, grid), im = onGrid(implant, p, grid);
        int nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
        int w = (nx + ny + 4) * ZOOM, h = Math.max(ny, nz) * ZOOM;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        BoundingBox all = BoundingBox.of(d.geometry());
        IntPredicate seen = i -> d.isSet(i) || im.isSet(i);
        // top view: x to the right (patient's left on the right, like looking down), y (posterior) downwards; the
        // nearest voxel from above is its z index
        int[] top = VoxelProjection.nearest(d.geometry(), all, 2, true, seen);
        for (int y = 0; y < ny; y++) {
            for (int x = 0; x < nx; x++) {
                int z = top[x + nx * y];
                fill(img, x * ZOOM, y * ZOOM, z < 0 ? EMPTY : colour(d, im, x, y, z, (double) z / nz));
            }
        }
        // side view from the patient's left (+x): anterior (-y) to the left, superior up
        int ox = (nx + 4) * ZOOM;
        int[] side = VoxelProjection.nearest(d.geometry(), all, 0, true, seen);
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                int x = side[y + ny * z];
                fill(img, ox + y * ZOOM, (nz - 1 - z) * ZOOM, x < 0 ? EMPTY : colour(d, im, x, y, z, (double) x / nx));
            }
        }
        return img;
    }

    public static void write(MaskVolume defective, MaskVolume implant, GridPlacement p, NetworkGrid grid, Path png) {
        BufferedImage img = render(defective, implant, p, grid);
        Outputs.writeAtomically(png, out -> ImageIO.write(img, "png", out));
    }

    private static MaskVolume onGrid(MaskVolume m, GridPlacement p, NetworkGrid grid) {
        if (m.geometry().sameGrid(p.grid(), 1e-6)) return m;
        return grid.toGrid(m, p);
    }

    /** Colour of the first visible voxel (implant over bone), or -1 when empty; {@code depth} 0..1 brightens nearer voxels. */
    private static int colour(MaskVolume d, MaskVolume im, int x, int y, int z, double depth) {
        int shade = (int) (90 + 160 * depth);
        if (im.isSet(x, y, z)) return (Math.min(255, shade + 20) << 16) | ((shade / 5) << 8) | (shade / 5);
        if (d.isSet(x, y, z)) return (shade << 16) | (shade << 8) | shade;
        return -1;
    }

    private static void fill(BufferedImage img, int x0, int y0, int rgb) {
        for (int dy = 0; dy < ZOOM; dy++) for (int dx = 0; dx < ZOOM; dx++) img.setRGB(x0 + dx, y0 + dy, rgb);
    }
}
