package org.calvaria.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.calvaria.CalvariaException;
import org.calvaria.Json;

/**
 * The output root of a batch and how a case's files get there. Each case has one folder,
 * {@code OUT/cases/CASE_ID/}, that appears whole or not at all: a task writes the case into a staging folder of its
 * own ({@code OUT/_temporary/CASE_ID.JOB.ATTEMPT/} on a local output root, a local temporary folder otherwise), puts
 * {@value #DONE_FILE} (the case's row) in last, and renames the folder into place. A retried or speculative attempt
 * of the same case renames a complete folder over the same name, so no half file and no second copy remain; staging
 * folders of killed attempts are removed by the driver when the job ends (and when the next job on the root starts).
 */
public final class CaseFolders implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Written last into a case's folder: the case's result row as JSON. Its presence marks the case as complete. */
    public static final String DONE_FILE = "batch.json";

    private final String root;
    private final String jobId;
    private final Map<String, String> hadoop;

    public CaseFolders(String root, String jobId, Configuration conf) {
        this.root = stripSlash(root);
        this.jobId = jobId;
        this.hadoop = new LinkedHashMap<>();
        if (conf != null) for (Map.Entry<String, String> e : conf) hadoop.put(e.getKey(), e.getValue());
    }

    public String root() {
        return root;
    }

    public String jobId() {
        return jobId;
    }

    /** Whether the output root is on the local file system (a path or a file: URI). */
    public boolean isLocal() {
        return isLocal(root);
    }

    static boolean isLocal(String uri) {
        String scheme = new org.apache.hadoop.fs.Path(uri).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    static Path localPath(String uri) {
        URI u = new org.apache.hadoop.fs.Path(uri).toUri();
        return u.getScheme() == null ? Path.of(u.getPath()) : Paths.get(u);
    }

    public Configuration conf() {
        Configuration c = new Configuration(false);
        hadoop.forEach(c::set);
        return c;
    }

    /** The final folder of a case, as a string (local path or URI). */
    public String caseFolder(String caseId) {
        return root + "/cases/" + caseId;
    }

    /** A new, empty staging folder for one attempt at one case, on the local disk. */
    public Path stage(String caseId, long attempt) {
        try {
            if (isLocal()) {
                Path p = localPath(root).resolve("_temporary").resolve(caseId + "." + jobId + "." + attempt);
                deleteTree(p);
                Files.createDirectories(p);
                return p;
            }
            return Files.createTempDirectory("calvaria-" + caseId + ".");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Moves a finished staging folder into place as the case's folder (replacing an older one), writing
     * {@value #DONE_FILE} with {@code row} last. Returns the final folder.
     */
    public String publish(Path staging, String caseId, Map<String, Object> row, long attempt) {
        try {
            Json.MAPPER.writeValue(staging.resolve(DONE_FILE).toFile(), row);
            if (isLocal()) {
                Path target = localPath(root).resolve("cases").resolve(caseId);
                Files.createDirectories(target.getParent());
                if (Files.exists(target)) {
                    Path old = localPath(root)
                            .resolve("_temporary")
                            .resolve(caseId + ".replaced." + jobId + "." + attempt);
                    try {
                        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                        deleteTree(old);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // another attempt moved it meanwhile
                    }
                }
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException other) {
                    // a speculative copy of this case finished first; its folder is complete, keep it
                    deleteTree(staging);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new CalvariaException("cannot rename " + staging + " to " + target + " atomically", e);
                }
                return target.toString();
            }
            Configuration conf = conf();
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(caseFolder(caseId));
            org.apache.hadoop.fs.Path tmp =
                    new org.apache.hadoop.fs.Path(root + "/_temporary/" + caseId + "." + jobId + "." + attempt);
            FileSystem fs = target.getFileSystem(conf);
            fs.delete(tmp, true);
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(staging.toUri()), tmp);
            if (fs.exists(target)) fs.delete(target, true);
            fs.mkdirs(target.getParent());
            if (!fs.rename(tmp, target)) fs.delete(tmp, true);
            deleteTree(staging);
            return target.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The row a complete case folder holds, or null when the case has no complete folder. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> finished(String caseId) {
        try {
            if (isLocal()) {
                Path done = localPath(root).resolve("cases").resolve(caseId).resolve(DONE_FILE);
                if (!Files.isRegularFile(done)) return null;
                return Json.MAPPER.readValue(done.toFile(), LinkedHashMap.class);
            }
            org.apache.hadoop.fs.Path done = new org.apache.hadoop.fs.Path(caseFolder(caseId) + "/" + DONE_FILE);
            FileSystem fs = done.getFileSystem(conf());
            if (!fs.exists(done)) return null;
            try (InputStream in = fs.open(done)) {
                return Json.MAPPER.readValue(in, LinkedHashMap.class);
            }
        } catch (IOException e) {
            return null; // unreadable: the case is made again
        }
    }

    /** A local copy of an input (the input itself when it is local); {@code scratch} receives copies. */
    public Path localInput(String input, Path scratch) {
        if (isLocal(input)) return localPath(input);
        try {
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(input);
            Path dst = scratch.resolve(src.getName());
            src.getFileSystem(conf()).copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(dst.toUri()), true);
            return dst;
        } catch (IOException e) {
            throw new CalvariaException("cannot copy " + input + " to the executor: " + e.getMessage(), e);
        }
    }

    /** Removes the staging area (driver, before and after a job). */
    public void removeStaging() {
        try {
            if (isLocal()) {
                deleteTree(localPath(root).resolve("_temporary"));
            } else {
                org.apache.hadoop.fs.Path t = new org.apache.hadoop.fs.Path(root + "/_temporary");
                t.getFileSystem(conf()).delete(t, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    private static String stripSlash(String s) {
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
