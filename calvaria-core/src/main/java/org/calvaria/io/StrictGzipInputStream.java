package org.calvaria.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A gzip (RFC 1952) decompressing stream that accepts only a whole, undamaged file: every member's CRC-32 and length
 * trailer is checked, a stream that ends early is an error, and so are bytes after the last member that are not
 * another gzip member. {@link java.util.zip.GZIPInputStream} ignores bytes after a member that do not start a new one,
 * and a reader that stops once it has its voxels never sees the trailer; this class fails in both cases.
 *
 * <p>The trailer of a member is checked when the reader reaches it, so a reader must read to the end (until
 * {@link #read()} returns -1); {@link #readToEnd(InputStream)} does that and reports how many bytes were left.
 * Concatenated members (as written by pigz or by appending gzip files) are read as one stream.
 */
public final class StrictGzipInputStream extends InputStream {
    /** What is wrong with the compressed data; the message is a short phrase such as "gzip checksum mismatch". */
    public static final class CorruptGzipException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptGzipException(String message) {
            super(message);
        }
    }

    private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16, RESERVED = 0xe0;

    private final InputStream in;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[1 << 16];
    private int bufPos, bufLen;
    private long memberBytes;
    private int members;
    private boolean eof;
    private boolean closed;

    /** Starts reading; the first member's header is checked at once. */
    public StrictGzipInputStream(InputStream compressed) throws IOException {
        this.in = compressed;
        try {
            readMemberHeader(true);
        } catch (IOException | RuntimeException e) {
            inflater.end();
            throw e;
        }
    }

    /** Reads {@code in} to its end and returns how many bytes there were (for a gzip stream: checks the trailer). */
    public static long readToEnd(InputStream in) throws IOException {
        byte[] b = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(b, 0, b.length)) >= 0) total += n;
        return total;
    }

    /** Number of complete members read so far. */
    public int members() {
        return members;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("stream closed");
        if (len == 0) return 0;
        while (!eof) {
            if (inflater.needsInput()) {
                if (!fill()) throw new CorruptGzipException("gzip data ends early (truncated)");
                inflater.setInput(buf, bufPos, bufLen - bufPos);
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new CorruptGzipException(
                        "invalid compressed data" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
            }
            // what the inflater took from our buffer
            bufPos = bufLen - inflater.getRemaining();
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsDictionary()) {
                throw new CorruptGzipException("invalid compressed data (preset dictionary)");
            }
            if (n > 0) return n;
        }
        return -1;
    }

    /** Checks the member's trailer, then starts the next member or meets the end of the stream. */
    private void endMember() throws IOException {
        long wantCrc = uint32();
        long wantSize = uint32();
        if (wantCrc != crc.getValue()) throw new CorruptGzipException("gzip checksum mismatch");
        if (wantSize != (memberBytes & 0xffffffffL)) throw new CorruptGzipException("gzip length mismatch");
        members++;
        if (bufPos >= bufLen && !fill()) {
            eof = true;
            return;
        }
        readMemberHeader(false);
    }

    private void readMemberHeader(boolean first) throws IOException {
        int id1 = nextByte();
        if (id1 < 0) {
            throw new CorruptGzipException(first ? "the gzip data is empty" : "gzip data ends early (truncated)");
        }
        int id2 = nextByte();
        if (id1 != 0x1f || id2 != 0x8b) {
            throw new CorruptGzipException(
                    first ? "not gzip data (no gzip magic bytes)" : "unexpected bytes after the end of the gzip data");
        }
        CRC32 headerCrc = new CRC32();
        headerCrc.update(0x1f);
        headerCrc.update(0x8b);
        int cm = headerByte(headerCrc);
        int flags = headerByte(headerCrc);
        if (cm != 8) throw new CorruptGzipException("unsupported gzip compression method " + cm);
        if ((flags & RESERVED) != 0) throw new CorruptGzipException("invalid gzip header (reserved flags set)");
        for (int i = 0; i < 6; i++) headerByte(headerCrc); // MTIME, XFL, OS
        if ((flags & FEXTRA) != 0) {
            int xlen = headerByte(headerCrc) | headerByte(headerCrc) << 8;
            for (int i = 0; i < xlen; i++) headerByte(headerCrc);
        }
        if ((flags & FNAME) != 0)
            while (headerByte(headerCrc) != 0) {
                /* file name */
            }
        if ((flags & FCOMMENT) != 0)
            while (headerByte(headerCrc) != 0) {
                /* comment */
            }
        if ((flags & FHCRC) != 0) {
            int want = nextByteOrFail() | nextByteOrFail() << 8;
            if (want != (int) (headerCrc.getValue() & 0xffff)) {
                throw new CorruptGzipException("gzip header checksum mismatch");
            }
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
    }

    private int headerByte(CRC32 headerCrc) throws IOException {
        int c = nextByteOrFail();
        headerCrc.update(c);
        return c;
    }

    private long uint32() throws IOException {
        long v = 0;
        for (int i = 0; i < 4; i++) v |= (long) nextByteOrFail() << (8 * i);
        return v;
    }

    private int nextByteOrFail() throws IOException {
        int c = nextByte();
        if (c < 0) throw new CorruptGzipException("gzip data ends early (truncated)");
        return c;
    }

    private int nextByte() throws IOException {
        if (bufPos >= bufLen && !fill()) return -1;
        return buf[bufPos++] & 0xff;
    }

    /** Refills the buffer when it is used up; false at the end of the compressed input. */
    private boolean fill() throws IOException {
        if (bufPos < bufLen) return true;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            bufPos = bufLen = 0;
            return false;
        }
        bufPos = 0;
        bufLen = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        inflater.end();
        in.close();
    }
}
