package org.calvaria.train;

import java.util.List;
import org.calvaria.complete.GridSpec;
import org.calvaria.dataset.Batch;

/**
 * Where the trainer gets (defective, complete) pairs on the network grid. Implementations stream pairs (never the
 * whole data set in memory) and keep training and validation skulls apart.
 */
public interface TrainingData extends AutoCloseable {
    /** The network grid every pair lies on. */
    GridSpec grid();

    /**
     * Positions the training stream at sample {@code sampleIndex} (the trainer calls this at the start of every
     * epoch): the same index is always followed by the same pairs, so a resumed training sees exactly the data an
     * uninterrupted one would have.
     */
    void seek(long sampleIndex);

    /** The next training batch of {@code size} pairs. */
    Batch next(int size);

    /** A fixed validation set from the validation skulls: the same pairs on every call. */
    List<Batch> validation();

    /** What the pairs are made from (recorded in the model file). */
    String description();

    /** Licence terms of the source data (recorded in the model file). */
    String licence();

    @Override
    default void close() {}
}
