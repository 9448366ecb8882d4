package org.calvaria.train;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.calvaria.complete.GridSpec;
import org.calvaria.dataset.Batch;
import org.calvaria.synth.SyntheticSkull;

/**
 * Training pairs made from the project's own {@link SyntheticSkull}s, for tests, smoke runs and benchmarks without
 * real data: each skull's upper part is rasterised on the network grid (x over +-85 mm, y over +-105 mm, z from the
 * vertex region down {@code heightMm}) and a random spherical hole is cut through the bone. Training and validation
 * use different skulls. Complete skulls are cached as bits (62 KB each on the 112x112x40 grid); pairs are made on
 * demand.
 */
public final class SyntheticTrainingData implements TrainingData {
    private static final double HALF_X = 85, HALF_Y = 105, TOP_Z = 88;
    private static final long VALIDATION_SKULL_OFFSET = 1_000_000;

    private final GridSpec grid;
    private final int trainingSkulls;
    private final int validationSkulls;
    private final int validationSamples;
    private final long seed;
    private final Map<Long, BitSet> skulls = new HashMap<>();
    private Random random;
    private List<Batch> validation;

    /**
     * @param trainingSkulls    distinct skulls used for training
     * @param validationSkulls  distinct, different skulls used for validation
     * @param validationSamples size of the fixed validation set
     * @param seed              selects the skulls and holes
     */
    public SyntheticTrainingData(
            GridSpec grid, int trainingSkulls, int validationSkulls, int validationSamples, long seed) {
        if (trainingSkulls < 1 || validationSkulls < 1 || validationSamples < 1) {
            throw new IllegalArgumentException("need at least one training skull, validation skull and sample");
        }
        this.grid = grid;
        this.trainingSkulls = trainingSkulls;
        this.validationSkulls = validationSkulls;
        this.validationSamples = validationSamples;
        this.seed = seed;
        this.random = new Random(seed);
    }

    @Override
    public GridSpec grid() {
        return grid;
    }

    @Override
    public void seek(long sampleIndex) {
        random = new Random(seed * 0x9E3779B97F4A7C15L + sampleIndex);
    }

    @Override
    public Batch next(int size) {
        return batch(size, random, false);
    }

    @Override
    public synchronized List<Batch> validation() {
        if (validation == null) {
            Random r = new Random(seed * 31 + 7);
            List<Batch> list = new ArrayList<>();
            for (int done = 0; done < validationSamples; done += 4) {
                list.add(batch(Math.min(4, validationSamples - done), r, true));
            }
            validation = Collections.unmodifiableList(list);
        }
        return validation;
    }

    private Batch batch(int size, Random r, boolean forValidation) {
        int v = grid.voxelCount();
        float[] defective = new float[size * v];
        float[] complete = new float[size * v];
        for (int i = 0; i < size; i++) {
            long skullId = forValidation
                    ? VALIDATION_SKULL_OFFSET + seed * 1000 + r.nextInt(validationSkulls)
                    : seed * 1000 + r.nextInt(trainingSkulls);
            BitSet skull = skull(skullId);
            int offset = i * v;
            for (int k = skull.nextSetBit(0); k >= 0; k = skull.nextSetBit(k + 1)) complete[offset + k] = 1;
            System.arraycopy(complete, offset, defective, offset, v);
            cutHole(skull, defective, offset, r);
        }
        return new Batch(defective, complete, size);
    }

    /** Removes a sphere of 12-30 mm radius centred on a random bone voxel in the upper 60% of the grid. */
    private void cutHole(BitSet skull, float[] defective, int offset, Random r) {
        int nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
        int lowest = ((int) (0.4 * nz)) * nx * ny;
        int candidates = skull.get(lowest, nx * ny * nz).cardinality();
        if (candidates == 0) return;
        int pick = r.nextInt(candidates);
        int centre = skull.nextSetBit(lowest);
        for (int k = 0; k < pick; k++) centre = skull.nextSetBit(centre + 1);
        double radius = 12 + 18 * r.nextDouble();
        int cx = centre % nx, cy = (centre / nx) % ny, cz = centre / (nx * ny);
        double sx = 2 * HALF_X / nx, sy = 2 * HALF_Y / ny, sz = grid.heightMm() / nz;
        for (int z = 0; z < nz; z++) {
            double dz = (z - cz) * sz;
            for (int y = 0; y < ny; y++) {
                double dy = (y - cy) * sy;
                for (int x = 0; x < nx; x++) {
                    double dx = (x - cx) * sx;
                    if (dx * dx + dy * dy + dz * dz <= radius * radius) defective[offset + x + nx * (y + ny * z)] = 0;
                }
            }
        }
    }

    /** The complete skull {@code id} on the grid: a voxel is bone when any of its 8 sub-samples is. */
    private synchronized BitSet skull(long id) {
        return skulls.computeIfAbsent(id, k -> {
            SyntheticSkull s = new SyntheticSkull(k);
            int nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
            double sx = 2 * HALF_X / nx, sy = 2 * HALF_Y / ny, sz = grid.heightMm() / nz;
            BitSet bits = new BitSet(grid.voxelCount());
            for (int z = 0; z < nz; z++) {
                for (int y = 0; y < ny; y++) {
                    for (int x = 0; x < nx; x++) {
                        boolean bone = false;
                        for (int sub = 0; sub < 8 && !bone; sub++) {
                            double px = -HALF_X + (x + 0.25 + 0.5 * (sub & 1)) * sx;
                            double py = -HALF_Y + (y + 0.25 + 0.5 * ((sub >> 1) & 1)) * sy;
                            double pz = TOP_Z - grid.heightMm() + (z + 0.25 + 0.5 * (sub >> 2)) * sz;
                            bone = s.isBone(px, py, pz);
                        }
                        if (bone) bits.set(x + nx * (y + ny * z));
                    }
                }
            }
            return bits;
        });
    }

    @Override
    public String description() {
        return "synthetic skulls (org.calvaria.synth.SyntheticSkull): " + trainingSkulls + " training and "
                + validationSkulls + " validation skulls, one spherical hole of 12-30 mm radius each, seed " + seed;
    }

    @Override
    public String licence() {
        return "Apache-2.0 (generated by Calvaria)";
    }
}
