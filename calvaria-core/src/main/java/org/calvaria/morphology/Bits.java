package org.calvaria.morphology;

/** Word-level bit search and fill on {@code long[]} bitsets (bit i is bit {@code i & 63} of word {@code i >>> 6}). */
final class Bits {
    private Bits() {}

    /** First set bit in [from, to), or {@code to} when there is none. */
    static int nextSetBit(long[] w, int from, int to) {
        if (from >= to) return to;
        int wi = from >>> 6;
        int lastWord = (to - 1) >>> 6;
        long word = w[wi] & (-1L << from);
        while (true) {
            if (word != 0) return Math.min((wi << 6) + Long.numberOfTrailingZeros(word), to);
            if (++wi > lastWord) return to;
            word = w[wi];
        }
    }

    /** First clear bit in [from, to), or {@code to} when every bit there is set. */
    static int nextClearBit(long[] w, int from, int to) {
        if (from >= to) return to;
        int wi = from >>> 6;
        int lastWord = (to - 1) >>> 6;
        long word = ~w[wi] & (-1L << from);
        while (true) {
            if (word != 0) return Math.min((wi << 6) + Long.numberOfTrailingZeros(word), to);
            if (++wi > lastWord) return to;
            word = ~w[wi];
        }
    }

    /** Sets bits [from, to). */
    static void setRange(long[] w, int from, int to) {
        if (from >= to) return;
        int first = from >>> 6, last = (to - 1) >>> 6;
        long firstMask = -1L << from, lastMask = -1L >>> -to;
        if (first == last) {
            w[first] |= firstMask & lastMask;
            return;
        }
        w[first] |= firstMask;
        for (int i = first + 1; i < last; i++) w[i] = -1L;
        w[last] |= lastMask;
    }

    /** Number of set bits in [from, to). */
    static int count(long[] w, int from, int to) {
        if (from >= to) return 0;
        int first = from >>> 6, last = (to - 1) >>> 6;
        long firstMask = -1L << from, lastMask = -1L >>> -to;
        if (first == last) return Long.bitCount(w[first] & firstMask & lastMask);
        int c = Long.bitCount(w[first] & firstMask);
        for (int i = first + 1; i < last; i++) c += Long.bitCount(w[i]);
        return c + Long.bitCount(w[last] & lastMask);
    }
}
