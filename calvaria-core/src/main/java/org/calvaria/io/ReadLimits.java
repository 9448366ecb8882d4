package org.calvaria.io;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;

/**
 * Checks a reader makes before it allocates or reads: is the file long enough for what its header declares, and does
 * the voxel array fit the memory Java may still use. Both fail at once with one line instead of after a long read or
 * with an OutOfMemoryError.
 */
final class ReadLimits {
    /** Deflate cannot expand data by more than about 1032:1 (258-byte matches coded in ~2 bits). */
    static final long MAX_DEFLATE_RATIO = 1032;

    /** When positive, the heap size {@link #requireMemory} assumes, with nothing in use (tests only). */
    static volatile long heapLimitForTests;

    private ReadLimits() {}

    /** Largest |origin| coordinate and voxel spacing taken as real, mm (a kilometre: anything beyond is damage). */
    static final double MAX_MM = 1e6;
    /** Smallest voxel spacing taken as real, mm (a nanometre). */
    static final double MIN_SPACING_MM = 1e-6;

    /**
     * Refuses placements no scanner makes: non-finite numbers, an origin more than {@link #MAX_MM} from zero, a voxel
     * spacing (length of a direction column) of zero, below {@link #MIN_SPACING_MM} or above {@link #MAX_MM}.
     * {@code m} is row-major with spacing, as in {@link org.calvaria.volume.Geometry}.
     */
    static void requireSaneGeometry(Path path, String format, double[] origin, double[] m) {
        String fix = "; the header is damaged, re-export the file";
        for (int c = 0; c < 3; c++) {
            double[] col = {m[c], m[3 + c], m[6 + c]};
            for (double v : col) {
                if (!Double.isFinite(v)) {
                    throw new CalvariaException(String.format(
                            Locale.ROOT,
                            "%s: %s direction of axis %d is not finite" + " (%s, %s, %s)%s",
                            path,
                            format,
                            c,
                            num(col[0]),
                            num(col[1]),
                            num(col[2]),
                            fix));
                }
            }
            double len = Math.sqrt(col[0] * col[0] + col[1] * col[1] + col[2] * col[2]);
            if (!(len >= MIN_SPACING_MM) || len > MAX_MM) {
                throw new CalvariaException(String.format(
                        Locale.ROOT,
                        "%s: %s voxel spacing of axis %d is %s mm;" + " spacings must lie between %s and %s mm%s",
                        path,
                        format,
                        c,
                        num(len),
                        num(MIN_SPACING_MM),
                        num(MAX_MM),
                        fix));
            }
        }
        for (int a = 0; a < 3; a++) {
            if (!Double.isFinite(origin[a]) || Math.abs(origin[a]) > MAX_MM) {
                throw new CalvariaException(String.format(
                        Locale.ROOT,
                        "%s: %s origin (%s, %s, %s) mm is %s%s",
                        path,
                        format,
                        num(origin[0]),
                        num(origin[1]),
                        num(origin[2]),
                        Double.isFinite(origin[a]) ? "more than 1 km from the scanner's centre" : "not finite",
                        fix));
            }
        }
    }

    /** 0, 2000000, 0.482422, 1e-06, NaN: short numbers for messages. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        String t = String.format(Locale.ROOT, "%.6g", v);
        return t.contains("e") || !t.contains(".") ? t : t.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** "1000x1000x1400 double" for messages. */
    static String describe(int[] sizes, String typeName) {
        return sizes[0] + "x" + sizes[1] + "x" + sizes[2] + " " + typeName;
    }

    /** Refuses raw data shorter than declared: {@code available} bytes are in the file for {@code declared}. */
    static void requireRawLength(Path path, int[] sizes, String typeName, long declared, long available) {
        if (available < declared) {
            throw new CalvariaException(String.format(
                    Locale.ROOT,
                    "%s: the file is too short for its declared size:"
                            + " the header says %s (%d bytes) but the file holds %d bytes of data; the file is truncated or"
                            + " its header is wrong",
                    path,
                    describe(sizes, typeName),
                    declared,
                    Math.max(0, available)));
        }
    }

    /** Refuses compressed data that cannot possibly inflate to {@code declared} bytes. */
    static void requireCompressedLength(Path path, int[] sizes, String typeName, long declared, long compressed) {
        long most = Math.max(0, compressed) * MAX_DEFLATE_RATIO + 1024;
        if (declared > most) {
            throw new CalvariaException(String.format(
                    Locale.ROOT,
                    "%s: the file is too short for its declared size:"
                            + " the header says %s (%d bytes) but %d compressed bytes cannot hold that much; the file is"
                            + " truncated or its header is wrong",
                    path,
                    describe(sizes, typeName),
                    declared,
                    Math.max(0, compressed)));
        }
    }

    /**
     * Refuses to allocate {@code bytes} when Java cannot have them: more than the maximum heap less what live objects
     * hold. The message says how much is needed and suggests a larger heap.
     */
    static void requireMemory(Path path, int[] sizes, String typeName, long bytes) {
        Runtime rt = Runtime.getRuntime();
        long max = heapLimitForTests > 0 ? heapLimitForTests : rt.maxMemory();
        if (max == Long.MAX_VALUE) return;
        if (heapLimitForTests <= 0 && bytes <= max - (rt.totalMemory() - rt.freeMemory())) return; // the usual case
        // What is in use may be mostly garbage: count only what the last collection kept.
        long free = heapLimitForTests > 0 ? max : max - liveHeap();
        if (bytes <= free) return;
        throw new CalvariaException(String.format(
                Locale.ROOT,
                "%s: reading its %s voxels needs %s of memory but Java"
                        + " may use only %s more (maximum heap %s); run with JAVA_OPTS=-Xmx%dg, or crop the scan first",
                path,
                describe(sizes, typeName),
                gib(bytes),
                gib(Math.max(0, free)),
                gib(max),
                suggestedHeapGiB(max - free + bytes)));
    }

    /**
     * Heap in use by live objects, as the last garbage collection left it (objects allocated since count too only
     * when less is in use in all); no collection is forced. Before the first collection this is about zero, which
     * only makes the check lenient at start-up, when little is in use anyway.
     */
    private static long liveHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        long afterGc = 0;
        boolean known = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP) continue;
            MemoryUsage u = pool.getCollectionUsage();
            if (u == null) continue;
            afterGc += u.getUsed();
            known = true;
        }
        return known ? Math.min(used, afterGc) : used;
    }

    /** A heap size in GiB comfortably above {@code bytes}: at least 16, else the next power of two above 1.5x. */
    static long suggestedHeapGiB(long bytes) {
        long want = (long) Math.ceil(bytes * 1.5 / (1L << 30));
        long g = 16;
        while (g < want) g *= 2;
        return g;
    }

    /** "5.2 GiB", or "122 MiB" below one GiB. */
    static String gib(long bytes) {
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%d MiB", (bytes + (1 << 19)) >> 20);
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
