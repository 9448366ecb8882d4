package org.calvaria.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A Hadoop file system for tests, scheme {@value #SCHEME}: {@code calvariatest:///x/y} is the local file
 * {@code ROOT/x/y}, where ROOT is the Hadoop setting {@value #ROOT_KEY}. It reads and writes through a
 * {@link RawLocalFileSystem} (no checksum files) and records every open, create, rename and delete, so a test can
 * tell that a path went through the Hadoop API. Since {@code /x/y} is not {@code ROOT/x/y}, code that took the URI's
 * path and opened it with java.nio would not find the file. Register it with {@code fs.calvariatest.impl} (for a Spark
 * job: {@code spark.hadoop.fs.calvariatest.impl}, as {@code spark-submit --conf} gives it).
 */
public final class CountingTestFileSystem extends FileSystem {
    public static final String SCHEME = "calvariatest";
    public static final String ROOT_KEY = "fs.calvariatest.root";

    /** What went through any instance, as {@code calvariatest:/...} paths (renames as {@code SRC -> DST}). */
    static final Queue<String> OPENS = new ConcurrentLinkedQueue<>(),
            CREATES = new ConcurrentLinkedQueue<>(),
            RENAMES = new ConcurrentLinkedQueue<>(),
            DELETES = new ConcurrentLinkedQueue<>();

    private final RawLocalFileSystem local = new RawLocalFileSystem();
    private String root;
    private Path workingDir = new Path(SCHEME, null, "/");

    static void resetCounts() {
        for (Queue<String> q : List.of(OPENS, CREATES, RENAMES, DELETES)) q.clear();
    }

    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        super.initialize(name, conf);
        setConf(conf);
        String r = conf.get(ROOT_KEY);
        if (r == null) throw new IOException(ROOT_KEY + " is not set");
        root = new Path(r).toUri().getPath().replaceAll("/+$", "");
        local.initialize(URI.create("file:///"), conf);
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    /** The local file behind a path of this file system. */
    private Path toLocal(Path p) {
        return new Path("file", null, root + makeQualified(p).toUri().getPath());
    }

    private Path fromLocal(Path p) {
        String s = p.toUri().getPath();
        if (!s.startsWith(root)) throw new IllegalStateException(p + " is outside " + root);
        String rest = s.substring(root.length());
        return new Path(SCHEME, null, rest.isEmpty() ? "/" : rest);
    }

    private FileStatus fromLocal(FileStatus s) {
        return new FileStatus(
                s.getLen(), s.isDirectory(), 1, s.getBlockSize(), s.getModificationTime(), fromLocal(s.getPath()));
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        OPENS.add(makeQualified(f).toString());
        return local.open(toLocal(f), bufferSize);
    }

    @Override
    public FSDataOutputStream create(
            Path f,
            FsPermission permission,
            boolean overwrite,
            int bufferSize,
            short replication,
            long blockSize,
            Progressable progress)
            throws IOException {
        CREATES.add(makeQualified(f).toString());
        return local.create(toLocal(f), overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override
    public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
        throw new IOException("append is not supported by " + SCHEME);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        RENAMES.add(makeQualified(src) + " -> " + makeQualified(dst));
        return local.rename(toLocal(src), toLocal(dst));
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        DELETES.add(makeQualified(f).toString());
        return local.delete(toLocal(f), recursive);
    }

    @Override
    public FileStatus[] listStatus(Path f) throws FileNotFoundException, IOException {
        FileStatus[] found = local.listStatus(toLocal(f));
        FileStatus[] out = new FileStatus[found.length];
        for (int i = 0; i < found.length; i++) out[i] = fromLocal(found[i]);
        return out;
    }

    @Override
    public void setWorkingDirectory(Path dir) {
        workingDir = makeQualified(dir);
    }

    @Override
    public Path getWorkingDirectory() {
        return workingDir;
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        return local.mkdirs(toLocal(f));
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return fromLocal(local.getFileStatus(toLocal(f)));
    }

    @Override
    public void close() throws IOException {
        try {
            local.close();
        } finally {
            super.close();
        }
    }
}
