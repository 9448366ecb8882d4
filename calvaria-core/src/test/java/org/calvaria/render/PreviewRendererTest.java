package org.calvaria.render;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviewRendererTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        Progress.enabled(false);
    }

    static TriangleMesh ball(Geometry g, double cx, double cy, double cz, double r) {
        MaskVolume m = new MaskVolume(g);
        double[] p = new double[3];
        for (int i = 0; i < m.voxelCount(); i++) {
            int x = i % g.nx(), y = (i / g.nx()) % g.ny(), z = i / (g.nx() * g.ny());
            g.indexToPhysical(x, y, z, p);
            if (Math.hypot(Math.hypot(p[0] - cx, p[1] - cy), p[2] - cz) <= r) m.set(i, true);
        }
        return MarchingCubes.extract(m);
    }

    /** Counts pixels near the given colour's hue: red-dominant, or bone (warm, bright, low saturation). */
    static int[] countColours(BufferedImage img, int x0, int x1) {
        int red = 0, bone = 0, background = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = x0; x < x1; x++) {
                int p = img.getRGB(x, y);
                int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
                if (r == 255 && g == 255 && b == 255) background++;
                else if (r > 60 && r > 2 * g && r > 2 * b) red++;
                else if (r >= g && g >= b && r - b < 0.35 * r && r > 50) bone++;
            }
        }
        return new int[] {red, bone, background};
    }

    @Test
    void twoViewsShowBoneAndImplantColours() throws IOException {
        Geometry g = Geometry.axisAligned(40, 40, 40, 1.0);
        TriangleMesh skull = ball(g, 20, 20, 18, 14);
        TriangleMesh implant = ball(g, 20, 20, 33, 6); // sits on top: visible from above and from the side
        BufferedImage img = new PreviewRenderer(200)
                .render(
                        List.of(
                                new PreviewRenderer.Layer(skull, PreviewRenderer.BONE),
                                new PreviewRenderer.Layer(implant, PreviewRenderer.IMPLANT)),
                        "case 000");
        assertEquals(400, img.getWidth());
        assertTrue(img.getHeight() > 200, "title band added");
        for (int view = 0; view < 2; view++) {
            int[] c = countColours(img, view * 200, view * 200 + 200);
            assertTrue(c[0] > 500, "view " + view + " red pixels " + c[0]);
            assertTrue(c[1] > 2000, "view " + view + " bone pixels " + c[1]);
            assertTrue(c[2] > 10000, "view " + view + " background pixels " + c[2]);
        }
        // From above the implant covers the top of the ball: the panel centre is red.
        int centre = img.getRGB(100, img.getHeight() - 100);
        assertTrue(((centre >> 16) & 0xff) > 2 * ((centre >> 8) & 0xff), "top view centre is implant-red");

        Path png = tmp.resolve("p.png");
        PreviewRenderer.writePng(img, png);
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(img.getWidth(), back.getWidth());
        assertEquals(img.getRGB(100, img.getHeight() - 100), back.getRGB(100, back.getHeight() - 100));
    }

    @Test
    void withoutTitleOrOverlayOnlyBoneIsDrawn() {
        Geometry g = Geometry.axisAligned(30, 30, 30, 1.0);
        BufferedImage img = new PreviewRenderer(120)
                .render(List.of(new PreviewRenderer.Layer(ball(g, 15, 15, 15, 10), PreviewRenderer.BONE)), null);
        assertEquals(120, img.getHeight());
        int[] c = countColours(img, 0, 240);
        assertEquals(0, c[0]);
        assertTrue(c[1] > 3000);
        assertThrows(
                CalvariaException.class,
                () -> new PreviewRenderer(120)
                        .render(List.of(new PreviewRenderer.Layer(TriangleMesh.empty(), PreviewRenderer.BONE)), null));
        assertThrows(CalvariaException.class, () -> new PreviewRenderer(5));
    }
}
