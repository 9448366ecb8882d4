package org.calvaria.manufacture;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thickness map files, the self-intersection check and the rounded rim, on synthetic caps. */
class ThicknessMapAndCrossingsTest {
    @TempDir
    Path tmp;

    static TriangleMesh cap() {
        return MeshSmoothing.taubin(
                MarchingCubes.extract(Caps.Cap.sphere(70, 5, 30).mask(0.5, 0.5, 0.5)), 10);
    }

    @Test
    void plyHoldsTheThicknessOfEveryVertexAndReadsBackAsTheSameMesh() throws Exception {
        TriangleMesh m = cap();
        double[] th = Thickness.perVertex(m);
        Path ply = tmp.resolve("thickness.ply");
        ThicknessMap.writePly(m, th, ply, "test");
        TriangleMesh back = MeshIO.read(ply);
        assertEquals(m.vertexCount(), back.vertexCount());
        assertEquals(m.triangleCount(), back.triangleCount());
        // parse the vertex records: 3 floats, 3 bytes, 1 float
        byte[] all = Files.readAllBytes(ply);
        String text = new String(all, StandardCharsets.US_ASCII);
        int body = text.indexOf("end_header\n") + "end_header\n".length();
        assertTrue(text.substring(0, body).contains("property float thickness"));
        ByteBuffer b = ByteBuffer.wrap(all, body, all.length - body).order(ByteOrder.LITTLE_ENDIAN);
        int near5 = 0, measured = 0;
        for (int i = 0; i < m.vertexCount(); i++) {
            assertEquals(m.vertices()[3 * i], b.getFloat(), 0);
            b.getFloat();
            b.getFloat();
            int r = b.get() & 0xff, g = b.get() & 0xff, bl = b.get() & 0xff;
            float t = b.getFloat();
            assertEquals(ThicknessMap.colour(th[i]).getRGB() & 0xffffff, (r << 16) | (g << 8) | bl);
            if (Double.isFinite(th[i])) {
                assertEquals(th[i], t, 1e-5);
                measured++;
                if (Math.abs(t - 5) <= 0.25) near5++;
            } else {
                assertEquals(-1f, t);
            }
        }
        assertTrue(near5 > 0.8 * measured, near5 + " of " + measured + " vertices within half a voxel of 5 mm");
    }

    @Test
    void pictureHasAColourScaleUnderTheViews() throws Exception {
        TriangleMesh m = cap();
        Path png = tmp.resolve("thickness.png");
        ThicknessMap.writePng(m, Thickness.perVertex(m), "cap", png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1000, img.getWidth());
        assertTrue(img.getHeight() > 500 + 24, "a band for the scale: " + img.getHeight());
        // the scale's thin end (red) and thick end (blue) are drawn in the band
        int y = img.getHeight() - (img.getHeight() - 500 - 36) + 16;
        boolean red = false, blue = false;
        for (int yy = 500; yy < img.getHeight(); yy++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, yy);
                int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, bl = p & 0xff;
                red |= r > 150 && g < 30 && bl < 60;
                blue |= bl > 150 && r < 70 && g < 120;
            }
        }
        assertTrue(red && blue, "colour scale missing (y " + y + ")");
        // the 5 mm cap itself is drawn in the middle colours (yellow-green), not grey or red
        int p = img.getRGB(250, 24 + 250);
        assertNotEquals(0xffffff, p & 0xffffff, "the cap is not in the middle of the top view");
    }

    @Test
    void cleanMeshesHaveNoCrossingsAndAFoldIsFound() {
        TriangleMesh m = cap();
        assertEquals(0, SelfIntersections.count(m));
        // two triangles that pass through each other
        float[] v = {0, 0, 0, 2, 0, 0, 0, 2, 0, 0.5f, 0.5f, -1, 0.5f, 0.5f, 1, 1.5f, 1.5f, 0};
        assertEquals(1, SelfIntersections.count(new TriangleMesh(v, new int[] {0, 1, 2, 3, 4, 5})));
        // neighbours sharing an edge or a vertex do not count
        float[] w = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0.2f, -1, -1, 0.1f};
        assertEquals(0, SelfIntersections.count(new TriangleMesh(w, new int[] {0, 1, 2, 1, 3, 2, 0, 2, 4})));
        // push one vertex of the cap's outer face through the inner face: the surface now crosses itself
        float[] pushed = m.vertices().clone();
        int top = 0;
        for (int i = 0; i < m.vertexCount(); i++) if (pushed[3 * i + 2] > pushed[3 * top + 2]) top = i;
        pushed[3 * top + 2] -= 8;
        assertTrue(SelfIntersections.count(new TriangleMesh(pushed, m.triangles())) > 0);
    }

    @Test
    void roundedRimKeepsThePlateAndTheClearance() {
        MaskVolume skull = ManufactureTest.skull(30);
        MaskVolume implant = ManufactureTest.shell(70, 6, 0, 30);
        Manufacture.Options sharp = new Manufacture.Options(0.5, 0, null, null, null, 20);
        Manufacture.Options round =
                new Manufacture.Options(0.5, 0, null, null, null, 20, 1.5, null, null, null, Mould.Options.defaults());
        Manufacture.Result a = Manufacture.process(implant, skull, sharp, 10);
        Manufacture.Result b = Manufacture.process(implant, skull, round, 10);
        MaskVolume removed = a.implant().copy().andNot(b.implant());
        assertTrue(removed.cardinality() > 0, "nothing was rounded");
        assertEquals(0, b.implant().copy().andNot(a.implant()).cardinality(), "rounding only removes");
        MaskVolume centre = ManufactureTest.shell(70, 6, 0, 25);
        assertEquals(centre.cardinality(), b.implant().intersectionCount(centre), "the plate away from the rim moved");
        assertTrue(b.gaps().minOverall() >= 0.4, b.gaps().line());
        assertEquals(
                0L,
                ((Number) ((java.util.Map<?, ?>) b.report().get("manufacture")).get("selfIntersections")).longValue());
        assertTrue(b.mesh().isWatertight());
    }
}
