package org.calvaria.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;

/**
 * The properties every fuzz target checks on one input: the code under test ends with a result or with one of the
 * error types the project documents for it (whose message is one short line naming no Java exception), it allocates
 * no more than a budget, and it ends quickly.
 */
public final class FuzzChecks {
    private FuzzChecks() {}

    /** Longest time one input may take; generous, as fuzzing shares the machine with other work. */
    public static final long MAX_MILLIS = 10_000;

    /** Words that show a raw Java failure leaking into a message meant for a person. */
    private static final String[] LEAKS = {
        "Exception", "len < 0", "(null)", ": null", "Index ", "out of bounds", "java.", "\tat "
    };

    /** Code under test. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes this thread has allocated so far. */
    public static long allocatedBytes() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Bytes all live threads have allocated so far (for code that works on another thread). */
    public static long allocatedBytesAllThreads() {
        long sum = 0;
        for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) if (b > 0) sum += b;
        return sum;
    }

    /** {@link #check} counting what all threads allocate, for code that hands its work to another thread. */
    @SafeVarargs
    public static Throwable checkAllThreads(
            String what, long maxAllocatedBytes, Body body, Class<? extends Throwable>... allowed) {
        return check(what, maxAllocatedBytes, FuzzChecks::allocatedBytesAllThreads, body, allowed);
    }

    /** {@link #check(String, long, java.util.function.LongSupplier, Body, Class[])} for this thread. */
    @SafeVarargs
    public static Throwable check(
            String what, long maxAllocatedBytes, Body body, Class<? extends Throwable>... allowed) {
        return check(what, maxAllocatedBytes, FuzzChecks::allocatedBytes, body, allowed);
    }

    /**
     * Runs {@code body} and checks the properties: it returns, or throws an instance of {@code allowed} (a
     * {@link CalvariaException} always counts) whose message is one line of at most 1200 characters without Java
     * exception names; it allocates at most {@code maxAllocatedBytes} as {@code meter} counts; it takes at most
     * {@link #MAX_MILLIS}.
     *
     * @return the failure it ended with, or null when it returned
     */
    @SafeVarargs
    public static Throwable check(
            String what,
            long maxAllocatedBytes,
            java.util.function.LongSupplier meter,
            Body body,
            Class<? extends Throwable>... allowed) {
        long a0 = meter.getAsLong();
        long t0 = System.nanoTime();
        Throwable failure = null;
        try {
            body.run();
        } catch (Throwable t) {
            failure = t;
        }
        long allocated = meter.getAsLong() - a0;
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (failure != null) {
            boolean ok = failure instanceof CalvariaException;
            for (Class<? extends Throwable> c : allowed) ok |= c.isInstance(failure);
            if (!ok) throw new AssertionError(what + " threw " + failure, failure);
            if (failure instanceof CalvariaException) requireReadable(what, failure.getMessage(), input);
        }
        if (allocated > maxAllocatedBytes) {
            throw new AssertionError(what + " allocated " + (allocated >> 20) + " MiB, more than the budget of "
                    + (maxAllocatedBytes >> 20) + " MiB" + (failure == null ? "" : " (then: " + failure + ")"));
        }
        // The first input of a JVM also pays for loading and instrumenting the classes it reaches.
        long limit = warm ? MAX_MILLIS : 20 * MAX_MILLIS;
        warm = true;
        if (ms > limit) throw new AssertionError(what + " took " + ms + " ms");
        return failure;
    }

    /** A message for a person: present, one line, short, no Java exception names or stack frames. */
    public static void requireReadable(String what, String m) {
        requireReadable(what, m, "");
    }

    /**
     * As {@link #requireReadable(String, String)}, where {@code input} is the text of the input the message may
     * quote: a word that the input holds itself (the fuzzer learns to write the very words looked for) is no leak.
     */
    public static void requireReadable(String what, String m, String input) {
        if (m == null || m.isBlank()) throw new AssertionError(what + ": an error without a message");
        if (m.contains("\n")) throw new AssertionError(what + ": a message of several lines: " + m);
        if (m.length() > 1200)
            throw new AssertionError(what + ": a message of " + m.length() + " characters: " + m.substring(0, 300));
        for (String leak : LEAKS) {
            if (input.contains(leak)) continue;
            if (m.contains(leak)) throw new AssertionError(what + ": the message shows '" + leak + "': " + m);
        }
    }

    private static boolean warm;

    /** The text of the input under test (ISO-8859-1), which messages may quote; see {@link #input(byte[])}. */
    private static String input = "";

    /** Sets the input under test, so that words a message quotes from it are not taken for leaks. */
    public static void input(byte[] data) {
        input = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** An empty scratch folder for one fuzz input (created, or emptied when it exists). */
    public static Path emptyFolder(Path folder) throws IOException {
        if (Files.exists(folder)) {
            try (Stream<Path> s = Files.walk(folder)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(folder)) Files.delete(p);
                }
            }
        }
        return Files.createDirectories(folder);
    }

    /** Whether {@code p}, resolved, lies inside {@code folder}. */
    public static boolean inside(Path p, Path folder) {
        return p.toAbsolutePath().normalize().startsWith(folder.toAbsolutePath().normalize());
    }
}
