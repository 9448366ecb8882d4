package org.calvaria.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.IntUnaryOperator;
import javax.imageio.ImageIO;
import org.calvaria.CalvariaException;
import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * A quick picture of a predicted implant against the true one on the defective skull: three orthogonal projections
 * (from above, from the side, from the front) of the skull, depth-shaded (nearer bone brighter), with the implants'
 * footprints overlaid: true only in blue, predicted only in red, both in green. Projections run along the grid's index
 * axes and are scaled by the voxel spacing so proportions are physical (for oblique grids the views are tilted by the
 * grid's angle). Rendering is headless.
 */
public final class ProjectionRenderer {
    static final Color TRUE_ONLY = new Color(40, 110, 255);
    static final Color PREDICTED_ONLY = new Color(235, 50, 40);
    static final Color BOTH = new Color(40, 200, 80);

    private ProjectionRenderer() {}

    /** PNG bytes of the three views side by side, each {@code heightPx} pixels high. */
    public static byte[] renderPng(MaskVolume skull, MaskVolume trueImplant, MaskVolume predicted, int heightPx) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = render(skull, trueImplant, predicted, heightPx);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new CalvariaException("cannot encode a PNG preview: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    static BufferedImage render(MaskVolume skull, MaskVolume truth, MaskVolume predicted, int heightPx) {
        Geometry g = skull.geometry();
        BoundingBox box = java.util.stream.Stream.of(skull, truth, predicted)
                .map(BoundingBox::of)
                .flatMap(java.util.Optional::stream)
                .reduce(BoundingBox::union)
                .orElse(BoundingBox.of(g));
        int bx = box.sizeX(), by = box.sizeY(), bz = box.sizeZ();
        // Per view: depth of the first bone voxel seen (larger = nearer), and implant footprint bits (1 = true,
        // 2 = predicted) over the whole ray. From above: highest z; from the side (+x, patient's left): largest x;
        // from the front (anterior is -y in LPS): smallest y.
        int[] topDepth = VoxelProjection.nearest(g, box, 2, true, skull::isSet);
        int[] sideDepth = VoxelProjection.nearest(g, box, 0, true, skull::isSet);
        int[] frontDepth = VoxelProjection.nearest(g, box, 1, false, skull::isSet);
        IntUnaryOperator labels = i -> (truth.isSet(i) ? 1 : 0) | (predicted.isSet(i) ? 2 : 0);
        byte[] topLab = VoxelProjection.union(g, box, 2, labels);
        byte[] sideLab = VoxelProjection.union(g, box, 0, labels);
        byte[] frontLab = VoxelProjection.union(g, box, 1, labels);
        double[] sp = g.spacing();
        BufferedImage top = view(topDepth, topLab, bx, by, bz, false);
        BufferedImage side = view(sideDepth, sideLab, by, bz, bx, true);
        BufferedImage front = view(frontDepth, frontLab, bx, bz, by, true);
        int wTop = width(bx * sp[0], by * sp[1], heightPx);
        int wSide = width(by * sp[1], bz * sp[2], heightPx);
        int wFront = width(bx * sp[0], bz * sp[2], heightPx);
        int gap = 6;
        BufferedImage out = new BufferedImage(wTop + wSide + wFront + 2 * gap, heightPx, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = out.createGraphics();
        gr.setColor(Color.WHITE);
        gr.fillRect(0, 0, out.getWidth(), out.getHeight());
        gr.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        gr.drawImage(top, 0, 0, wTop, heightPx, null);
        gr.drawImage(side, wTop + gap, 0, wSide, heightPx, null);
        gr.drawImage(front, wTop + wSide + 2 * gap, 0, wFront, heightPx, null);
        gr.setColor(Color.WHITE);
        gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        gr.drawString("top", 4, 13);
        gr.drawString("side", wTop + gap + 4, 13);
        gr.drawString("front", wTop + wSide + 2 * gap + 4, 13);
        gr.dispose();
        return out;
    }

    private static int width(double wMm, double hMm, int heightPx) {
        return Math.max(1, (int) Math.round(heightPx * wMm / hMm));
    }

    /** A w x h image; {@code flipVertical} puts the largest second index at the top (superior up). */
    private static BufferedImage view(int[] depth, byte[] lab, int w, int h, int depthRange, boolean flipVertical) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int v = 0; v < h; v++) {
            for (int u = 0; u < w; u++) {
                int i = u + w * v;
                int grey = depth[i] < 0 ? 0 : (int) (60 + 170.0 * (depth[i] + 1) / depthRange);
                int r = grey, gg = grey, b = grey;
                Color c = switch (lab[i]) {
                    case 1 -> TRUE_ONLY;
                    case 2 -> PREDICTED_ONLY;
                    case 3 -> BOTH;
                    default -> null;
                };
                if (c != null) {
                    r = (int) (0.3 * grey + 0.7 * c.getRed());
                    gg = (int) (0.3 * grey + 0.7 * c.getGreen());
                    b = (int) (0.3 * grey + 0.7 * c.getBlue());
                }
                int row = flipVertical ? h - 1 - v : v;
                img.setRGB(u, row, (Math.min(255, r) << 16) | (Math.min(255, gg) << 8) | Math.min(255, b));
            }
        }
        return img;
    }
}
