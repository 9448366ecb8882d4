package org.calvaria.dataset;

import org.calvaria.normalise.NetworkGrid;

/** Streams (defective, complete) pairs on the network grid for training, without writing to disk. */
public interface SampleSource extends AutoCloseable {
    /** The next {@code batchSize} samples, layout [n][z][y][x]. Blocks until they are ready. */
    Batch next(int batchSize);

    /** The grid the samples lie on. */
    NetworkGrid grid();

    /** Stops background workers. */
    @Override
    default void close() {}
}
