package org.calvaria.mesh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.CalvariaException;

/** Small helpers shared by the mesh format classes: reading a file's first bytes and writing text or buffers. */
final class MeshFiles {
    private MeshFiles() {}

    static byte[] head(Path path, int n) {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    static void flush(StringBuilder sb, OutputStream out) throws IOException {
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        sb.setLength(0);
    }

    static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) b.append(c >= 32 && c < 127 ? c : ' ');
        return b.toString();
    }

    @SuppressWarnings("ByteBufferBackingArray") // buf always comes from ByteBuffer.allocate (array offset 0)
    static void drain(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }
}
