package org.calvaria.io;

import org.calvaria.CalvariaException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;

/**
 * Output files appear whole or not at all: content is written to a hidden temporary sibling and moved into place only
 * after it is complete. No output may be an input, or another output of the same run ({@link #requireDistinct}).
 */
public final class Outputs {
    private Outputs() {}

    /** Writes of one output file. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void writeAtomically(Path target, Writer writer) {
        Path parent = target.toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new CalvariaException("cannot create folder " + parent + ": " + e.getMessage(), e);
        }
        if (Files.isDirectory(target)) {
            throw new CalvariaException("output " + target + " is a folder; give a file name");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(parent, "." + target.getFileName(), ".part");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writer.write(out);
            }
            makeReadableLikeAnOrdinaryFile(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new CalvariaException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
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
            Set<PosixFilePermission> perms = Files.exists(target) ? Files.getPosixFilePermissions(target)
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
