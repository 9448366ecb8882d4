package org.calvaria.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calvaria.CalvariaException;

/**
 * The outputs of one run, made to appear together: while a set is open on a thread, every
 * {@link Outputs#writeAtomically} on that thread writes its hidden temporary but leaves it there;
 * {@link #commit} then moves them all into place, in the order they were written, and {@link #close} without a commit
 * deletes them. A run that fails (or is killed) while writing therefore leaves the previous outputs as they were, never
 * a new STL beside an old report: write the report last, with the {@link #entries() checksums} of the rest, and it is
 * moved last. A set opened inside another hands its outputs to the outer one on commit.
 *
 * <pre>{@code
 * try (OutputSet set = OutputSet.begin()) {
 *     MeshIO.write(mesh, stl, false, made);   // staged
 *     writeReport(set.entries());             // staged, last
 *     set.commit();                           // all moved into place
 * }
 * }</pre>
 */
public final class OutputSet implements AutoCloseable {
    private static final ThreadLocal<OutputSet> CURRENT = new ThreadLocal<>();

    /** One staged output: where it goes, its SHA-256 (hex) and size. */
    public record Entry(Path target, String sha256, long bytes) {}

    /** A staged output; its SHA-256 is computed when first asked for (see {@link #entries}). */
    private static final class Staged {
        final Path target;
        final Path temporary;
        final long bytes;
        String sha256;

        Staged(Path target, Path temporary, long bytes) {
            this.target = target;
            this.temporary = temporary;
            this.bytes = bytes;
        }

        Entry entry() {
            if (sha256 == null) sha256 = Outputs.sha256Of(temporary);
            return new Entry(target, sha256, bytes);
        }
    }

    private final OutputSet outer;
    private final List<Staged> staged = new ArrayList<>();
    private final List<Runnable> onDiscard = new ArrayList<>();
    private boolean finished;
    private boolean committed;

    private OutputSet(OutputSet outer) {
        this.outer = outer;
    }

    /** Opens a set on this thread (inside the current one, if any). */
    public static OutputSet begin() {
        OutputSet s = new OutputSet(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The set open on this thread, or null. */
    static OutputSet current() {
        return CURRENT.get();
    }

    void add(Path target, Path temporary, long bytes) {
        Path key = target.toAbsolutePath().normalize();
        for (int i = 0; i < staged.size(); i++) {
            if (staged.get(i).target.toAbsolutePath().normalize().equals(key)) {
                // written again in the same run: the later content wins
                Outputs.deleteQuietly(staged.remove(i).temporary);
                break;
            }
        }
        staged.add(new Staged(target, temporary, bytes));
    }

    /**
     * Registers clean-up to run if the set open on this thread is discarded instead of committed (such as removing a
     * folder made for its outputs). Returns false when no set is open; the caller then cleans up itself.
     */
    public static boolean onDiscard(Runnable cleanUp) {
        OutputSet s = CURRENT.get();
        if (s == null) return false;
        s.onDiscard.add(cleanUp);
        return true;
    }

    /**
     * The outputs written so far, in order, with their checksums; call it before {@link #commit}. The checksums are
     * computed here, from the staged files, rather than while writing: a run that records none (a design without a
     * report) does not pay for them, and hashing a large STL is slow in a JVM limited to the quick compiler (about
     * 40 MB/s instead of over 1 GB/s).
     */
    public List<Entry> entries() {
        if (finished) throw new IllegalStateException("output set already finished; ask for its entries before");
        return staged.stream().map(Staged::entry).toList();
    }

    /** Moves every staged output into place, in the order written (or hands them to the enclosing set). */
    public void commit() {
        if (finished) throw new IllegalStateException("output set already finished");
        finished = true;
        committed = true;
        restoreOuter();
        if (outer != null) {
            outer.staged.addAll(staged);
            staged.clear();
            outer.onDiscard.addAll(onDiscard);
            onDiscard.clear();
            return;
        }
        try {
            while (!staged.isEmpty()) {
                Staged s = staged.get(0);
                try {
                    Outputs.moveIntoPlace(s.temporary, s.target);
                } catch (IOException e) {
                    throw new CalvariaException(
                            "cannot move " + s.target + " into place: " + e.getMessage()
                                    + "; check the folder and run again",
                            e);
                }
                staged.remove(0);
            }
        } finally {
            discard();
        }
    }

    /** Without a commit: deletes every staged temporary, leaving the earlier files as they were. */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            restoreOuter();
        }
        discard();
    }

    private void restoreOuter() {
        if (outer == null) CURRENT.remove();
        else CURRENT.set(outer);
    }

    private void discard() {
        for (Staged s : staged) Outputs.deleteQuietly(s.temporary);
        staged.clear();
        if (!committed) {
            for (Runnable r : onDiscard) {
                try {
                    r.run();
                } catch (RuntimeException ignored) {
                    // best effort
                }
            }
        }
        onDiscard.clear();
    }
}
