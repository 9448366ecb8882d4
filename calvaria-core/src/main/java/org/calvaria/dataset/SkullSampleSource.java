package org.calvaria.dataset;

import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.calvaria.CalvariaException;
import org.calvaria.Futures;
import org.calvaria.normalise.NetworkGrid;

/**
 * Training pairs drawn from a {@link SkullLibrary}: sample {@code i} picks a skull, an augmentation, and a defect
 * from a seed derived from ({@code options.seed()}, {@code i}) only, so the stream is the same whatever the number of
 * threads. A small pool produces samples {@code options.prefetch()} ahead of the consumer.
 */
public final class SkullSampleSource implements SampleSource {
    private static final int RETRIES = 5;

    /** Makes sample {@code seed} from the skull at position {@code skull} of the source's list. */
    @FunctionalInterface
    public interface Maker {
        Sample make(int skull, long seed);
    }

    private final SkullLibrary library;
    private final NetworkGrid grid;
    private final List<String> ids;
    private final SampleOptions options;
    private final Maker maker;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Sample>> queue = new ArrayDeque<>();
    private long nextToSubmit;
    private long nextToHand;

    public SkullSampleSource(SkullLibrary library, SampleOptions options) {
        this(library, library.grid(), library.ids(), options, maker(library, options));
    }

    /** A stream over any skulls: {@code ids} in a fixed order, pairs made by {@code maker}. */
    public SkullSampleSource(NetworkGrid grid, List<String> ids, SampleOptions options, Maker maker) {
        this(null, grid, ids, options, maker);
    }

    private static Maker maker(SkullLibrary library, SampleOptions options) {
        SampleFactory factory = new SampleFactory(library.grid(), options);
        return (k, seed) -> factory.make(library.skulls().get(k), seed);
    }

    private SkullSampleSource(
            SkullLibrary library, NetworkGrid grid, List<String> ids, SampleOptions options, Maker maker) {
        if (ids.isEmpty()) throw new CalvariaException("no skulls to sample from; give at least one complete skull");
        this.library = library;
        this.grid = grid;
        this.ids = List.copyOf(ids);
        this.options = options;
        this.maker = maker;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "calvaria-samples-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public NetworkGrid grid() {
        return grid;
    }

    /** The library sampled from, or null for a stream made from a {@link Maker}. */
    public SkullLibrary library() {
        return library;
    }

    public SampleOptions options() {
        return options;
    }

    /** Skull ids this source draws from. */
    public List<String> skullIds() {
        return ids;
    }

    /** Index of the next sample {@link #next} hands out. */
    public synchronized long position() {
        return nextToHand;
    }

    /** Continues the stream from sample {@code index} (e.g. when resuming training). */
    public synchronized void seek(long index) {
        for (Future<Sample> f : queue) f.cancel(true);
        queue.clear();
        nextToSubmit = index;
        nextToHand = index;
    }

    /** Sample {@code index} of this stream, computed on the calling thread. */
    public Sample sample(long index) {
        CalvariaException last = null;
        for (int attempt = 0; attempt < RETRIES; attempt++) {
            SplittableRandom r = new SplittableRandom(mix(options.seed(), index, attempt));
            int skull = r.nextInt(ids.size());
            try {
                return maker.make(skull, r.nextLong());
            } catch (CalvariaException e) {
                last = e;
            }
        }
        throw last;
    }

    @Override
    public synchronized Batch next(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive: " + batchSize);
        while (queue.size() < batchSize + options.prefetch()) {
            long i = nextToSubmit++;
            queue.add(pool.submit(() -> sample(i)));
        }
        int voxels = grid.voxelCount();
        float[] defective = new float[batchSize * voxels];
        float[] complete = new float[batchSize * voxels];
        String[] descriptions = new String[batchSize];
        for (int k = 0; k < batchSize; k++) {
            Sample s = take(queue.poll());
            nextToHand++;
            int offset = k * voxels;
            s.defective().forEachSet(i -> defective[offset + i] = 1f);
            descriptions[k] = s.description();
            s.complete().forEachSet(i -> complete[offset + i] = 1f);
        }
        return new Batch(defective, complete, batchSize, descriptions);
    }

    private static Sample take(Future<Sample> f) {
        return Futures.await(f, "interrupted while producing samples", "producing a sample failed");
    }

    /** A well-mixed seed from (seed, index, attempt) (SplitMix64 finaliser). */
    public static long mix(long seed, long index, int attempt) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1) + 0xBF58476D1CE4E5B9L * attempt;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public synchronized void close() {
        for (Future<Sample> f : queue) f.cancel(true);
        queue.clear();
        pool.shutdownNow();
    }
}
