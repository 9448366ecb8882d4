package org.calvaria.mesh;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import org.calvaria.CalvariaException;

/** Whitespace-separated tokens with line numbers, for ASCII STL. */
final class MeshTokens implements AutoCloseable {
    private final Reader in;
    private final Path path;
    private final char[] buf = new char[1 << 16];
    private int len, pos;
    private int line = 1;
    private final StringBuilder sb = new StringBuilder();

    MeshTokens(Reader in, Path path) {
        this.in = in;
        this.path = path;
    }

    private int read() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                return -1;
            }
        }
        return buf[pos++];
    }

    String next() throws IOException {
        int c;
        do {
            c = read();
            if (c == '\n') line++;
        } while (c >= 0 && Character.isWhitespace(c));
        if (c < 0) return null;
        sb.setLength(0);
        while (c >= 0 && !Character.isWhitespace(c)) {
            sb.append((char) c);
            c = read();
        }
        if (c == '\n') line++;
        return sb.toString();
    }

    void skipLine() throws IOException {
        // the token just read may have ended the line already
        if (pos > 0 && buf[pos - 1] == '\n') return;
        int c;
        do {
            c = read();
        } while (c >= 0 && c != '\n');
        if (c == '\n') line++;
    }

    void expect(String word) throws IOException {
        String t = next();
        if (t == null) throw error("ends in the middle of a facet: the file is truncated");
        if (!t.equalsIgnoreCase(word)) throw error("has '" + t + "' where '" + word + "' was expected");
    }

    float number() throws IOException {
        String t = next();
        if (t == null) throw error("ends in the middle of a facet: the file is truncated");
        float f;
        try {
            f = Float.parseFloat(t);
        } catch (NumberFormatException e) {
            throw error("has '" + t + "' where a number was expected");
        }
        if (!Float.isFinite(f)) throw error("has a non-finite number '" + t + "'");
        return f;
    }

    CalvariaException error(String what) {
        return new CalvariaException(path + " " + what + " (line " + line + "); the file is corrupt, export it again");
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
