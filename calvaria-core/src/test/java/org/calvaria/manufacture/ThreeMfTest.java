package org.calvaria.manufacture;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipFile;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ThreeMfTest {
    @TempDir
    Path tmp;

    static TriangleMesh box(int x0, int x1) {
        MaskVolume m = new MaskVolume(Geometry.axisAligned(12, 8, 8, 0.5));
        for (int z = 2; z < 6; z++) for (int y = 2; y < 6; y++) for (int x = x0; x < x1; x++) m.set(x, y, z, true);
        return MarchingCubes.extract(m);
    }

    @Test
    void roundTripKeepsEveryNamedObject() throws Exception {
        TriangleMesh a = box(1, 5), b = box(6, 11);
        Path f = tmp.resolve("parts.3mf");
        ThreeMf.write(
                f, List.of(new ThreeMf.Part("implant", a), new ThreeMf.Part("mould <outer> & \"half\"", b)), "test");
        ThreeMf.Model m = ThreeMf.read(f);
        assertEquals("millimeter", m.unit());
        assertEquals(
                List.of("implant", "mould <outer> & \"half\""),
                List.copyOf(m.objects().keySet()));
        TriangleMesh a2 = m.objects().get("implant"), b2 = m.objects().get("mould <outer> & \"half\"");
        assertEquals(a.compacted().vertexCount(), a2.vertexCount());
        assertEquals(a.triangleCount(), a2.triangleCount());
        assertEquals(b.triangleCount(), b2.triangleCount());
        assertTrue(a2.isWatertight() && b2.isWatertight());
        assertEquals(a.enclosedVolumeMm3(), a2.enclosedVolumeMm3(), 1e-6);
        assertArrayEquals(b.compacted().vertices(), b2.vertices());
    }

    @Test
    void packageAndModelFollowTheCoreSpecification() throws Exception {
        Path f = tmp.resolve("one.3mf");
        ThreeMf.write(
                f, List.of(new ThreeMf.Part("implant", box(1, 5)), new ThreeMf.Part("fit-check", box(6, 11))), "t");
        try (ZipFile zip = new ZipFile(f.toFile())) {
            // OPC parts the core specification requires.
            assertNotNull(zip.getEntry("[Content_Types].xml"));
            assertNotNull(zip.getEntry("_rels/.rels"));
            assertNotNull(zip.getEntry("3D/3dmodel.model"));
            String types = new String(
                    zip.getInputStream(zip.getEntry("[Content_Types].xml")).readAllBytes());
            assertTrue(types.contains("application/vnd.ms-package.3dmanufacturing-3dmodel+xml"));
            assertTrue(types.contains("application/vnd.openxmlformats-package.relationships+xml"));
            String rels =
                    new String(zip.getInputStream(zip.getEntry("_rels/.rels")).readAllBytes());
            assertTrue(rels.contains("Target=\"/3D/3dmodel.model\""));
            assertTrue(rels.contains("Type=\"http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel\""));
        }
        ThreeMf.Model m = ThreeMf.read(f);
        javax.xml.parsers.DocumentBuilderFactory dbf = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        Element model = dbf.newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(m.modelXml()))
                .getDocumentElement();
        assertEquals("model", model.getLocalName());
        assertEquals(ThreeMf.CORE_NS, model.getNamespaceURI());
        assertEquals("millimeter", model.getAttribute("unit"));
        assertEquals(
                1, model.getElementsByTagNameNS(ThreeMf.CORE_NS, "resources").getLength());
        assertEquals(1, model.getElementsByTagNameNS(ThreeMf.CORE_NS, "build").getLength());
        NodeList objects = model.getElementsByTagNameNS(ThreeMf.CORE_NS, "object");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < objects.getLength(); i++) {
            Element o = (Element) objects.item(i);
            assertTrue(Integer.parseInt(o.getAttribute("id")) > 0, "object ids are positive integers");
            assertTrue(ids.add(o.getAttribute("id")), "object ids are unique");
            assertEquals("model", o.getAttribute("type"));
            Element mesh =
                    (Element) o.getElementsByTagNameNS(ThreeMf.CORE_NS, "mesh").item(0);
            assertNotNull(mesh);
            int nv = mesh.getElementsByTagNameNS(ThreeMf.CORE_NS, "vertex").getLength();
            NodeList tris = mesh.getElementsByTagNameNS(ThreeMf.CORE_NS, "triangle");
            assertTrue(tris.getLength() >= 4 && nv >= 3);
            for (int t = 0; t < tris.getLength(); t++) {
                Element tri = (Element) tris.item(t);
                int v1 = Integer.parseInt(tri.getAttribute("v1")),
                        v2 = Integer.parseInt(tri.getAttribute("v2")),
                        v3 = Integer.parseInt(tri.getAttribute("v3"));
                assertTrue(v1 != v2 && v2 != v3 && v1 != v3, "a triangle's vertices differ");
                assertTrue(v1 >= 0 && v1 < nv && v2 >= 0 && v2 < nv && v3 >= 0 && v3 < nv);
            }
        }
        NodeList items = model.getElementsByTagNameNS(ThreeMf.CORE_NS, "item");
        assertEquals(objects.getLength(), items.getLength());
        for (int i = 0; i < items.getLength(); i++) {
            assertTrue(ids.contains(((Element) items.item(i)).getAttribute("objectid")), "build items name objects");
        }
        assertTrue(Files.size(f) > 0);
    }
}
