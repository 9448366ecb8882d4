package org.calvaria.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a slow source (a gzip stream: inflating takes as long as decoding the voxels) on a thread of its own, a few
 * chunks ahead of the reader, so that the two run on two cores. The reader sees exactly the source's bytes and, where
 * the source failed, the very exception it threw, after the bytes that came before it. {@link #close()} stops the
 * thread and then closes the source.
 */
final class ReadAheadInputStream extends InputStream {
    static final int CHUNK_BYTES = 1 << 20;
    /** Chunks read but not yet taken: bounds the memory used when the reader is the slower side. */
    private static final int CHUNKS_AHEAD = 4;

    /** A chunk of the source, its end (length -1), or the source's failure. */
    private record Chunk(byte[] bytes, int length, Throwable failure) {}

    private final InputStream source;
    private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(CHUNKS_AHEAD);
    /** Chunks the reader has used up, for the reading thread to fill again instead of allocating. */
    private final BlockingQueue<byte[]> emptied = new ArrayBlockingQueue<>(CHUNKS_AHEAD + 2);

    private final Thread reader;
    private Chunk current;
    private int position;
    private boolean closed;

    ReadAheadInputStream(InputStream source) {
        this.source = source;
        this.reader = new Thread(this::readAhead, "calvaria-read-ahead");
        reader.setDaemon(true);
        reader.start();
    }

    private void readAhead() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                byte[] b = emptied.poll();
                if (b == null) b = new byte[CHUNK_BYTES];
                int n = 0;
                int r = 0;
                Throwable failure = null;
                try {
                    while (n < b.length && (r = source.read(b, n, b.length - n)) >= 0) n += r;
                } catch (Throwable t) { // NOPMD: handed to the reader as it is, after the bytes read before it
                    failure = t;
                }
                if (n > 0) filled.put(new Chunk(b, n, null));
                if (failure != null || r < 0) {
                    filled.put(new Chunk(null, -1, failure));
                    return;
                }
            }
        } catch (InterruptedException stopped) {
            // close(): nobody reads any more
        }
    }

    /** The chunk to read from, taking the next when this one is used up; null at the end of the source. */
    private Chunk current() throws IOException {
        if (closed) throw new IOException("stream closed");
        while (current == null || (current.length() >= 0 && position == current.length())) {
            if (current != null && current.bytes() != null) emptied.offer(current.bytes());
            try {
                current = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading");
            }
            position = 0;
        }
        Throwable failure = current.failure();
        if (failure instanceof IOException e) throw e;
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        return current.length() < 0 ? null : current;
    }

    @Override
    public int read() throws IOException {
        Chunk c = current();
        return c == null ? -1 : c.bytes()[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        Chunk c = current();
        if (c == null) return -1;
        int n = Math.min(len, c.length() - position);
        System.arraycopy(c.bytes(), position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        reader.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                reader.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        source.close();
    }
}
