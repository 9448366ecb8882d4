package org.calvaria.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;
import org.calvaria.mesh.TriangleMesh;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Software z-buffer renderer for quick looks at skulls and implants, without a display (headless AWT only for the
 * image and the text). Two orthographic views side by side, as in the papers' figures: from above (superior, anterior
 * at the top of the panel) and an isometric view from front-left-above. Shading is ambient plus Lambert from a light
 * near the viewer, interpolated from vertex normals; each mesh has its own colour (bone for a skull, red for an
 * implant). Rendered at twice the size and averaged down for smooth edges.
 */
public final class PreviewRenderer {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewRenderer.class);

    public static final Color BONE = new Color(232, 222, 200);
    public static final Color IMPLANT = new Color(205, 38, 38);
    public static final Color BACKGROUND = Color.WHITE;

    private static final double AMBIENT = 0.28, DIFFUSE = 0.72;
    private static final int SUPERSAMPLE = 2;

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /**
     * A mesh and the colour it is drawn in; {@code vertexRgb} (0xRRGGBB per vertex, may be null) colours it per
     * vertex instead, interpolated across each triangle (a thickness map).
     */
    public record Layer(TriangleMesh mesh, Color color, int[] vertexRgb) {
        public Layer(TriangleMesh mesh, Color color) {
            this(mesh, color, null);
        }

        public Layer {
            if (vertexRgb != null && vertexRgb.length != mesh.vertexCount()) {
                throw new IllegalArgumentException("one colour per vertex needed: " + vertexRgb.length + " for "
                        + mesh.vertexCount() + " vertices");
            }
        }
    }

    /** A colour scale drawn under the views: {@code colour} maps a value in [lo, hi] to a colour. */
    public record ColourBar(
            String label, double lo, double hi, java.util.function.DoubleFunction<Color> colour, double tickStep) {}

    /** The two views: camera frames as (right, up, towards-viewer) unit vectors in LPS. */
    public enum View {
        TOP("top (from superior)", new double[] {-1, 0, 0}, new double[] {0, -1, 0}, new double[] {0, 0, 1}),
        ISOMETRIC("isometric (front-left-above)", null, null, isoBack());

        final String label;
        @SuppressWarnings("ImmutableEnumChecker") // the direction arrays are never written after construction
        final double[] right, up, back;

        View(String label, double[] right, double[] up, double[] back) {
            this.label = label;
            this.back = back;
            if (up == null) {
                // world superior (+z) projected onto the image plane is "up"; right = up x back
                double[] z = {0, 0, 1};
                double d = dot(z, back);
                up = normalize(new double[] {z[0] - d * back[0], z[1] - d * back[1], z[2] - d * back[2]});
                right = cross(up, back);
            }
            this.right = right;
            this.up = up;
        }

        private static double[] isoBack() {
            return normalize(new double[] {1, -1, 1});
        }
    }

    private final int viewSize;

    /** {@code viewSize}: width and height of each view panel in pixels. */
    public PreviewRenderer(int viewSize) {
        if (viewSize < 32 || viewSize > 4096) {
            throw new CalvariaException("preview size must be between 32 and 4096 pixels, got " + viewSize);
        }
        this.viewSize = viewSize;
    }

    /** Renders the layers in the two views side by side, with an optional title band on top. */
    public BufferedImage render(List<Layer> layers, String title) {
        List<Layer> drawn = new ArrayList<>();
        for (Layer l : layers) if (l != null && !l.mesh().isEmpty()) drawn.add(l);
        if (drawn.isEmpty()) throw new CalvariaException("nothing to draw: the meshes are empty");
        View[] views = View.values();
        BufferedImage[] panels = new BufferedImage[views.length];
        IntStream.range(0, views.length).parallel().forEach(i -> panels[i] = renderView(drawn, views[i]));
        int band = title == null || title.isBlank() ? 0 : Math.max(24, viewSize / 14);
        BufferedImage out = new BufferedImage(views.length * viewSize, viewSize + band, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int i = 0; i < views.length; i++) g.drawImage(panels[i], i * viewSize, band, null);
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(60, 60, 60));
            int small = Math.max(10, viewSize / 40);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, small));
            for (int i = 0; i < views.length; i++) {
                g.drawString(views[i].label, i * viewSize + small / 2, band + viewSize - small / 2);
            }
            if (band > 0) {
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) (band * 0.6)));
                FontMetrics fm = g.getFontMetrics();
                g.drawString(
                        title,
                        Math.max(4, (out.getWidth() - fm.stringWidth(title)) / 2),
                        (band + fm.getAscent() - fm.getDescent()) / 2);
            }
        } catch (RuntimeException | Error e) {
            // Some minimal JREs have no fonts; the picture matters more than its caption.
            LOG.warn("preview text left out: no usable font ({})", e.toString());
        } finally {
            g.dispose();
        }
        return out;
    }

    /** {@code image} with a colour bar (scale, tick values and label) added in a band underneath. */
    public BufferedImage withColourBar(BufferedImage image, ColourBar bar) {
        int band = Math.max(64, viewSize / 5);
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight() + band, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.drawImage(image, 0, 0, null);
            int x0 = out.getWidth() / 8, x1 = out.getWidth() - out.getWidth() / 8;
            int y0 = image.getHeight() + band / 10, h = band / 4;
            for (int x = x0; x <= x1; x++) {
                double v = bar.lo() + (bar.hi() - bar.lo()) * (x - x0) / (double) (x1 - x0);
                g.setColor(bar.colour().apply(v));
                g.drawLine(x, y0, x, y0 + h);
            }
            g.setColor(Color.DARK_GRAY);
            g.drawRect(x0, y0, x1 - x0, h);
            try {
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                int small = Math.max(10, band / 7);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, small));
                FontMetrics fm = g.getFontMetrics();
                for (double v = bar.lo(); v <= bar.hi() + 1e-9; v += bar.tickStep()) {
                    int x = (int) Math.round(x0 + (x1 - x0) * (v - bar.lo()) / (bar.hi() - bar.lo()));
                    g.drawLine(x, y0 + h, x, y0 + h + small / 3);
                    String t = v == Math.rint(v)
                            ? String.valueOf((long) v)
                            : String.format(java.util.Locale.ROOT, "%.1f", v);
                    g.drawString(t, x - fm.stringWidth(t) / 2, y0 + h + small / 3 + fm.getAscent());
                }
                g.drawString(
                        bar.label(),
                        (x0 + x1 - fm.stringWidth(bar.label())) / 2,
                        y0 + h + small / 3 + 2 * fm.getAscent() + fm.getDescent() + 2);
            } catch (RuntimeException | Error e) {
                LOG.warn("colour bar text left out: no usable font ({})", e.toString());
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Writes a PNG atomically. */
    public static void writePng(BufferedImage image, Path path) {
        Outputs.writeAtomically(path, out -> {
            if (!ImageIO.write(image, "png", out)) throw new java.io.IOException("no PNG writer available");
        });
    }

    private BufferedImage renderView(List<Layer> layers, View view) {
        int size = viewSize * SUPERSAMPLE;
        // Fit all layers together: projected bounds over every vertex in use.
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (Layer l : layers) {
            float[] v = l.mesh().vertices();
            for (int t : l.mesh().triangles()) {
                double x = v[3 * t] * view.right[0] + v[3 * t + 1] * view.right[1] + v[3 * t + 2] * view.right[2];
                double y = v[3 * t] * view.up[0] + v[3 * t + 1] * view.up[1] + v[3 * t + 2] * view.up[2];
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
            }
        }
        double extent = Math.max(maxX - minX, maxY - minY);
        double scale = extent > 0 ? 0.9 * size / extent : 1;
        double cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
        float[] depth = new float[size * size];
        Arrays.fill(depth, Float.NEGATIVE_INFINITY);
        int[] rgb = new int[size * size];
        Arrays.fill(rgb, BACKGROUND.getRGB());
        double[] light = normalize(new double[] {
            view.back[0] + 0.35 * view.up[0] - 0.25 * view.right[0],
            view.back[1] + 0.35 * view.up[1] - 0.25 * view.right[1],
            view.back[2] + 0.35 * view.up[2] - 0.25 * view.right[2]
        });
        for (Layer l : layers) {
            TriangleMesh m = l.mesh();
            float[] v = m.vertices();
            float[] n = m.vertexNormals();
            int nv = m.vertexCount();
            float[] sx = new float[nv], sy = new float[nv], sz = new float[nv], shade = new float[nv];
            for (int i = 0; i < nv; i++) {
                double x = v[3 * i], y = v[3 * i + 1], z = v[3 * i + 2];
                sx[i] = (float) (size / 2.0 + (x * view.right[0] + y * view.right[1] + z * view.right[2] - cx) * scale);
                sy[i] = (float) (size / 2.0 - (x * view.up[0] + y * view.up[1] + z * view.up[2] - cy) * scale);
                sz[i] = (float) (x * view.back[0] + y * view.back[1] + z * view.back[2]);
                // two-sided: the inside of an open mesh is lit like its outside
                double lambert = Math.abs(n[3 * i] * light[0] + n[3 * i + 1] * light[1] + n[3 * i + 2] * light[2]);
                shade[i] = (float) (AMBIENT + DIFFUSE * lambert);
            }
            rasterize(m.triangles(), sx, sy, sz, shade, l.color(), l.vertexRgb(), size, depth, rgb);
        }
        return downsample(rgb, size);
    }

    private static void rasterize(
            int[] tri,
            float[] sx,
            float[] sy,
            float[] sz,
            float[] shade,
            Color color,
            int[] vertexRgb,
            int size,
            float[] depth,
            int[] rgb) {
        int cr = color.getRed(), cg = color.getGreen(), cb = color.getBlue();
        for (int t = 0; t < tri.length; t += 3) {
            int a = tri[t], b = tri[t + 1], c = tri[t + 2];
            float ax = sx[a], ay = sy[a], bx = sx[b], by = sy[b], qx = sx[c], qy = sy[c];
            float area = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax);
            if (area == 0 || !Float.isFinite(area)) continue;
            int x0 = Math.max(0, (int) Math.floor(Math.min(ax, Math.min(bx, qx))));
            int x1 = Math.min(size - 1, (int) Math.ceil(Math.max(ax, Math.max(bx, qx))));
            int y0 = Math.max(0, (int) Math.floor(Math.min(ay, Math.min(by, qy))));
            int y1 = Math.min(size - 1, (int) Math.ceil(Math.max(ay, Math.max(by, qy))));
            float inv = 1f / area;
            for (int y = y0; y <= y1; y++) {
                float py = y + 0.5f;
                for (int x = x0; x <= x1; x++) {
                    float px = x + 0.5f;
                    float wa = ((bx - px) * (qy - py) - (by - py) * (qx - px)) * inv;
                    float wb = ((qx - px) * (ay - py) - (qy - py) * (ax - px)) * inv;
                    float wc = 1 - wa - wb;
                    if (wa < 0 || wb < 0 || wc < 0) continue;
                    float z = wa * sz[a] + wb * sz[b] + wc * sz[c];
                    int at = y * size + x;
                    if (z <= depth[at]) continue;
                    depth[at] = z;
                    float s = Math.min(1f, wa * shade[a] + wb * shade[b] + wc * shade[c]);
                    if (vertexRgb != null) {
                        int ca = vertexRgb[a], cb2 = vertexRgb[b], cc = vertexRgb[c];
                        cr = (int) (wa * ((ca >> 16) & 0xff) + wb * ((cb2 >> 16) & 0xff) + wc * ((cc >> 16) & 0xff));
                        cg = (int) (wa * ((ca >> 8) & 0xff) + wb * ((cb2 >> 8) & 0xff) + wc * ((cc >> 8) & 0xff));
                        cb = (int) (wa * (ca & 0xff) + wb * (cb2 & 0xff) + wc * (cc & 0xff));
                    }
                    rgb[at] = 0xff000000 | ((int) (cr * s) << 16) | ((int) (cg * s) << 8) | (int) (cb * s);
                }
            }
        }
    }

    private BufferedImage downsample(int[] rgb, int size) {
        BufferedImage img = new BufferedImage(viewSize, viewSize, BufferedImage.TYPE_INT_RGB);
        int k = SUPERSAMPLE;
        for (int y = 0; y < viewSize; y++) {
            for (int x = 0; x < viewSize; x++) {
                int r = 0, g = 0, b = 0;
                for (int dy = 0; dy < k; dy++) {
                    for (int dx = 0; dx < k; dx++) {
                        int p = rgb[(y * k + dy) * size + x * k + dx];
                        r += (p >> 16) & 0xff;
                        g += (p >> 8) & 0xff;
                        b += p & 0xff;
                    }
                }
                int q = k * k;
                img.setRGB(x, y, ((r / q) << 16) | ((g / q) << 8) | (b / q));
            }
        }
        return img;
    }

    static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    static double[] normalize(double[] a) {
        double l = Math.sqrt(dot(a, a));
        return new double[] {a[0] / l, a[1] / l, a[2] / l};
    }
}
