package org.calvaria.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Output files appear whole or not at all: content is written to a hidden temporary sibling and moved into place only
 * after it is complete; the outputs of one run can be made to appear together ({@link OutputSet}). No output may be
 * an input, or another output of the same run ({@link #requireDistinct}).
 */
public final class Outputs {
    private Outputs() {}

    private static final Logger LOG = LoggerFactory.getLogger(Outputs.class);

    /** Suffix of the hidden temporaries, {@code .NAME<digits>.part} beside the target. */
    static final String TEMP_SUFFIX = ".part";

    /** A temporary not written to for this long, and not locked by a live writer, is debris of a killed run. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(1);

    /** Names of the form of our temporaries, whatever their target. */
    private static final Pattern ANY_TEMPORARY = Pattern.compile("\\..+[0-9]+" + Pattern.quote(TEMP_SUFFIX));

    /**
     * Per folder written to by this process: the temporaries it held when first listed and not yet looked at (a few
     * hundred folders at most are remembered; a forgotten one is listed again).
     */
    private static final Map<Path, List<String>> TEMPORARIES_SEEN = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, List<String>> eldest) {
            return size() > 512;
        }
    };

    /** Writes of one output file. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} through a hidden temporary sibling {@code .NAME<digits>.part}, moved into place when
     * complete. Inside an {@link OutputSet} on this thread the temporary is kept, and moved later
     * together with the set's other outputs. Temporaries that an earlier, killed run left for the same target are
     * removed first (see
     * {@link #removeStaleTemporaries}).
     */
    public static void writeAtomically(Path target, Writer writer) {
        OutputSet set = OutputSet.current();
        Path parent = target.toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new CalvariaException("cannot create folder " + parent + ": " + e.getMessage(), e);
        }
        if (Files.isDirectory(target)) {
            throw new CalvariaException("output " + target + " is a folder; give a file name");
        }
        removeStaleTemporaries(target);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(parent, "." + target.getFileName(), TEMP_SUFFIX);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                lockQuietly(ch); // released when the stream closes the channel
                try (OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                    writer.write(out);
                }
            }
            makeReadableLikeAnOrdinaryFile(tmp, target);
            if (set != null) {
                set.add(target, tmp, Files.size(tmp));
            } else {
                moveIntoPlace(tmp, target);
            }
            tmp = null;
        } catch (IOException e) {
            throw new CalvariaException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) deleteQuietly(tmp);
        }
    }

    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the temporary file is hidden, named after the target, and removed by the next run
        }
    }

    /** SHA-256 (hex) of a file's content. */
    static String sha256Of(Path file) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        } catch (IOException e) {
            throw new CalvariaException("cannot read back " + file + " for its checksum: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The writer holds an OS lock on its temporary while writing, so that {@link #removeStaleTemporaries} in another
     * process (or thread) can tell it is alive. Best effort: where the file system has no locks, the age rule alone
     * protects it.
     */
    private static void lockQuietly(FileChannel ch) {
        try {
            ch.tryLock();
        } catch (IOException | UnsupportedOperationException | OverlappingFileLockException e) {
            // no locks here: the age rule alone decides what is stale
        }
    }

    /**
     * Removes hidden temporaries that an earlier run writing {@code target} left behind when it was killed (kill -9,
     * power loss: no Java code runs to delete them). Only files named exactly as this class names them
     * ({@code .NAME<digits>.part}, beside {@code target}) are considered, and only when they are stale: not written to
     * for {@link #STALE_AFTER} (a live writer's file changes continuously: it streams through a 64 KB buffer) and not
     * locked by a live writer (a killed process's lock dies with it). A run that is still writing the same target at
     * the same time therefore keeps its file. They stay next to the target, rather than in the system's temporary
     * folder, because only a move within one file system replaces the target atomically.
     *
     * <p>A folder is listed once per process (the first time something is written to it; folders with tens of thousands
     * of outputs must not be listed per file): temporaries that appear after that belong to live writers.
     */
    public static void removeStaleTemporaries(Path target) {
        Path parent = target.toAbsolutePath().normalize().getParent();
        if (parent == null || target.getFileName() == null) return;
        String name = target.getFileName().toString();
        Pattern ours = Pattern.compile("\\." + Pattern.quote(name) + "[0-9]+" + Pattern.quote(TEMP_SUFFIX));
        List<String> candidates = new ArrayList<>();
        synchronized (TEMPORARIES_SEEN) {
            List<String> seen = TEMPORARIES_SEEN.get(parent);
            if (seen == null) {
                seen = new ArrayList<>();
                try (Stream<Path> s = Files.list(parent)) {
                    s.map(p -> p.getFileName().toString())
                            .filter(n -> ANY_TEMPORARY.matcher(n).matches())
                            .forEach(seen::add);
                } catch (IOException e) {
                    return; // the write itself will report an unreadable folder
                }
                TEMPORARIES_SEEN.put(parent, seen);
            }
            for (String n : seen) if (ours.matcher(n).matches()) candidates.add(n);
        }
        if (candidates.isEmpty()) return;
        List<String> settled = new ArrayList<>();
        for (String n : candidates) if (settle(parent.resolve(n))) settled.add(n);
        synchronized (TEMPORARIES_SEEN) {
            List<String> seen = TEMPORARIES_SEEN.get(parent);
            if (seen != null) seen.removeAll(settled);
        }
    }

    /** Removes {@code p} if it is stale; true when it is gone (or not ours), false when a live writer may own it. */
    private static boolean settle(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) return true;
            if (System.currentTimeMillis() - a.lastModifiedTime().toMillis() < STALE_AFTER.toMillis()) return false;
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    if (ch.tryLock() == null) return false; // a writer in another process holds it
                } catch (OverlappingFileLockException e) {
                    return false; // a writer in this process holds it
                } catch (IOException | UnsupportedOperationException e) {
                    // no locks on this file system: the age rule decides
                }
                Files.deleteIfExists(p);
                LOG.info("removed {}, left by an interrupted earlier run", p);
                return true;
            }
        } catch (IOException e) {
            return !Files.exists(p, LinkOption.NOFOLLOW_LINKS); // gone already; else not ours to remove (permissions)
        }
    }

    /**
     * Fails early, before any work, when {@code output} cannot become a file: it is a folder, or its parent is a
     * file. ({@link #writeAtomically} checks again when writing.)
     */
    public static void requireFileTarget(Path output) {
        if (Files.isDirectory(output)) {
            throw new CalvariaException("output " + output + " is a folder; give a file name");
        }
        Path parent = output.toAbsolutePath().getParent();
        for (Path p = parent; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new CalvariaException("cannot write " + output + ": " + p + " is a file, not a folder");
                }
                break;
            }
        }
    }

    /**
     * Temporary files are created owner-only (rw-------); an output should read like any file the user makes: keep
     * the permissions of the file being replaced, else rw-r--r--. No-op where POSIX permissions do not exist.
     */
    private static void makeReadableLikeAnOrdinaryFile(Path tmp, Path target) {
        try {
            Set<PosixFilePermission> perms = Files.exists(target)
                    ? Files.getPosixFilePermissions(target)
                    : PosixFilePermissions.fromString("rw-r--r--");
            Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system, or not ours to change: the content is what matters
        }
    }

    /**
     * Fails, with one line naming both files, when two outputs of one run are the same file, or an output is (or
     * writes) a file that an input is made of. Inputs count with every file they refer to (a detached NRRD header's
     * data file or LIST/pattern files, the DICOM files of a series folder, or of the folder of one DICOM file); outputs
     * with every file they write (a {@code .nhdr} header's data file). Paths are compared by real path, also for files
     * that do not exist yet, and by file identity (hard links). Null entries are skipped. Call it before any work.
     */
    public static void requireDistinct(Collection<Path> inputs, Collection<Path> outputs) {
        FileClash.check(inputs, outputs);
    }

    /** {@link #requireDistinct} for one output. */
    public static void requireNotInput(Path output, Path... inputs) {
        requireDistinct(Arrays.asList(inputs), Collections.singletonList(output));
    }
}
