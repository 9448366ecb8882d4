package org.calvaria.manufacture;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;
import org.calvaria.mesh.TriangleMesh;

/**
 * 3MF (3D Manufacturing Format, core specification 1.x): an OPC zip package with {@code [Content_Types].xml},
 * {@code _rels/.rels} and the model part {@code 3D/3dmodel.model}, units in millimetres, one named mesh object per
 * part (implant, mould halves, fit-check model), each placed in the build. Written with java.util.zip and plain XML;
 * read back with the JDK's XML parser.
 */
public final class ThreeMf {
    public static final String CORE_NS = "http://schemas.microsoft.com/3dmanufacturing/core/2015/02";
    static final String MODEL_PATH = "3D/3dmodel.model";
    static final String MODEL_REL_TYPE = "http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel";

    /** One object of a 3MF file: a name and a closed mesh. */
    public record Part(String name, TriangleMesh mesh) {}

    private ThreeMf() {}

    /** Writes the parts as named objects of one 3MF file (whole or not at all). */
    public static void write(Path path, List<Part> parts, String title) {
        if (parts.isEmpty()) throw new IllegalArgumentException("no parts to write");
        Outputs.writeAtomically(path, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            Writer w = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
            zip.putNextEntry(new ZipEntry("[Content_Types].xml"));
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\n"
                    + "  <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package"
                    + ".relationships+xml\"/>\n"
                    + "  <Default Extension=\"model\" ContentType=\"application/vnd.ms-package.3dmanufacturing"
                    + "-3dmodel+xml\"/>\n"
                    + "</Types>\n");
            w.flush();
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("_rels/.rels"));
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\n"
                    + "  <Relationship Target=\"/" + MODEL_PATH + "\" Id=\"rel0\" Type=\"" + MODEL_REL_TYPE + "\"/>\n"
                    + "</Relationships>\n");
            w.flush();
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(MODEL_PATH));
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<model unit=\"millimeter\" xml:lang=\"en-US\" xmlns=\""
                    + CORE_NS + "\">\n");
            w.write("  <metadata name=\"Title\">" + escape(title) + "</metadata>\n");
            w.write("  <metadata name=\"Application\">calvaria " + escape(org.calvaria.Provenance.version())
                    + "</metadata>\n");
            w.write("  <resources>\n");
            StringBuilder sb = new StringBuilder(1 << 16);
            for (int p = 0; p < parts.size(); p++) {
                TriangleMesh m = parts.get(p).mesh().compacted();
                w.write("    <object id=\"" + (p + 1) + "\" name=\""
                        + escape(parts.get(p).name()) + "\" type=\"model\">\n      <mesh>\n        <vertices>\n");
                float[] v = m.vertices();
                for (int i = 0; i < v.length; i += 3) {
                    sb.append("          <vertex x=\"")
                            .append(v[i])
                            .append("\" y=\"")
                            .append(v[i + 1])
                            .append("\" z=\"")
                            .append(v[i + 2])
                            .append("\"/>\n");
                    if (sb.length() > 60000) {
                        w.write(sb.toString());
                        sb.setLength(0);
                    }
                }
                w.write(sb.toString());
                sb.setLength(0);
                w.write("        </vertices>\n        <triangles>\n");
                int[] t = m.triangles();
                for (int i = 0; i < t.length; i += 3) {
                    sb.append("          <triangle v1=\"")
                            .append(t[i])
                            .append("\" v2=\"")
                            .append(t[i + 1])
                            .append("\" v3=\"")
                            .append(t[i + 2])
                            .append("\"/>\n");
                    if (sb.length() > 60000) {
                        w.write(sb.toString());
                        sb.setLength(0);
                    }
                }
                w.write(sb.toString());
                sb.setLength(0);
                w.write("        </triangles>\n      </mesh>\n    </object>\n");
            }
            w.write("  </resources>\n  <build>\n");
            for (int p = 0; p < parts.size(); p++) w.write("    <item objectid=\"" + (p + 1) + "\"/>\n");
            w.write("  </build>\n</model>\n");
            w.flush();
            zip.closeEntry();
            zip.finish();
        });
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** What a 3MF file holds: the model's unit, its objects by name in file order, the zip entries, the model XML. */
    public record Model(String unit, Map<String, TriangleMesh> objects, List<String> zipEntries, byte[] modelXml) {}

    /** Reads a 3MF file (mesh objects of the model part), streaming the XML so large meshes read quickly. */
    public static Model read(Path path) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(path);
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) entries.put(e.getName(), zip.readAllBytes());
        } catch (IOException e) {
            throw new CalvariaException("cannot read 3MF " + path + ": " + e.getMessage(), e);
        }
        byte[] model = entries.get(MODEL_PATH);
        if (model == null) throw new CalvariaException(path + " is not a 3MF file (no " + MODEL_PATH + ")");
        try {
            XMLInputFactory f = XMLInputFactory.newInstance();
            f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
            f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
            XMLStreamReader x = f.createXMLStreamReader(new java.io.ByteArrayInputStream(model));
            Map<String, TriangleMesh> objects = new LinkedHashMap<>();
            String unit = null, name = null;
            FloatList v = new FloatList();
            IntList t = new IntList();
            while (x.hasNext()) {
                int ev = x.next();
                if (ev == XMLStreamConstants.START_ELEMENT && CORE_NS.equals(x.getNamespaceURI())) {
                    switch (x.getLocalName()) {
                        case "model" -> unit = x.getAttributeValue(null, "unit");
                        case "object" -> {
                            name = x.getAttributeValue(null, "name");
                            if (name == null) name = "object " + x.getAttributeValue(null, "id");
                            v = new FloatList();
                            t = new IntList();
                        }
                        case "vertex" -> {
                            v.add(Float.parseFloat(x.getAttributeValue(null, "x")));
                            v.add(Float.parseFloat(x.getAttributeValue(null, "y")));
                            v.add(Float.parseFloat(x.getAttributeValue(null, "z")));
                        }
                        case "triangle" -> {
                            t.add(Integer.parseInt(x.getAttributeValue(null, "v1")));
                            t.add(Integer.parseInt(x.getAttributeValue(null, "v2")));
                            t.add(Integer.parseInt(x.getAttributeValue(null, "v3")));
                        }
                        default -> {}
                    }
                } else if (ev == XMLStreamConstants.END_ELEMENT
                        && CORE_NS.equals(x.getNamespaceURI())
                        && "object".equals(x.getLocalName())) {
                    objects.put(name, new TriangleMesh(v.toArray(), t.toArray()));
                }
            }
            return new Model(unit == null ? "millimeter" : unit, objects, new ArrayList<>(entries.keySet()), model);
        } catch (CalvariaException e) {
            throw e;
        } catch (Exception e) {
            throw new CalvariaException("cannot read 3MF " + path + ": " + e.getMessage(), e);
        }
    }

    private static final class FloatList {
        float[] a = new float[1024];
        int n;

        void add(float x) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, 2 * n);
            a[n++] = x;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    private static final class IntList {
        int[] a = new int[1024];
        int n;

        void add(int x) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, 2 * n);
            a[n++] = x;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
