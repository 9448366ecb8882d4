package org.calvaria.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.complete.GridSpec;
import org.calvaria.dataset.Batch;
import org.calvaria.dataset.Sample;
import org.calvaria.dataset.SampleOptions;
import org.calvaria.dataset.SkullLibrary;
import org.calvaria.dataset.SkullSampleSource;
import org.calvaria.dataset.VaultLibrary;
import org.calvaria.normalise.NetworkGrid;

/**
 * Training pairs from real skulls: a {@link SkullLibrary} (a SkullFix-style folder or a folder of complete skulls,
 * mapped onto the network grid) split by skull into training and validation skulls, with pairs streamed by
 * {@link SkullSampleSource} (augmentation, artificial and real defects). The validation set is the first
 * {@code validationSamples} pairs of a fixed-seed stream over the validation skulls, made once.
 */
public final class SkullTrainingData implements TrainingData {
    private static final long VALIDATION_SEED_OFFSET = 0x5EED_0F_7A1L;
    private static final int VALIDATION_BATCH = 4;

    private final GridSpec grid;
    private final List<String> validationIds;
    private final SkullSampleSource training;
    private final java.util.function.Supplier<SkullSampleSource> validationSource;
    private final int validationSamples;
    private final String description;
    private final String licence;
    private List<Batch> validation;

    /**
     * @param folder            skulls ({@code complete_skull/} with optional {@code defective_skull/}, or volumes)
     * @param grid              the network grid (mapping as {@link NetworkGrid})
     * @param cacheDir          where mapped skulls are cached (null: none)
     * @param validationFraction share of skulls held out
     * @param options           how pairs are drawn (its seed also chooses the split)
     * @param validationSamples size of the fixed validation set
     * @param licence           licence terms of the skulls, recorded in the model
     */
    public SkullTrainingData(
            Path folder,
            GridSpec grid,
            Path cacheDir,
            double validationFraction,
            SampleOptions options,
            int validationSamples,
            int loadThreads,
            String licence) {
        this.grid = grid;
        this.validationSamples = validationSamples;
        this.licence = licence;
        NetworkGrid networkGrid = grid.networkGrid();
        SkullLibrary library = SkullLibrary.load(folder, networkGrid, cacheDir, loadThreads);
        if (library.size() < 2) {
            throw new CalvariaException("training needs at least 2 skulls (one is held out for validation); " + folder
                    + " has " + library.size());
        }
        SkullLibrary.Split split = library.split(validationFraction, options.seed());
        if (split.validation() == null) {
            throw new CalvariaException(
                    "no validation skulls with --val-split " + validationFraction + "; give a larger fraction");
        }
        validationIds = split.validationIds();
        training = split.train().samples(options);
        validationSource = () -> split.validation().samples(options.withSeed(options.seed() + VALIDATION_SEED_OFFSET));
        description = describe(folder, "vertex grid", split.train().size(), validationIds, options, grid);
    }

    /**
     * Pairs anywhere on the vault: grids turned to random positions or to real holes ({@link
     * org.calvaria.dataset.VaultSampleFactory}), from skulls kept whole ({@link VaultLibrary}).
     */
    public static SkullTrainingData vault(
            Path folder,
            GridSpec grid,
            Path cacheDir,
            double validationFraction,
            SampleOptions options,
            int validationSamples,
            int loadThreads,
            String licence) {
        return new SkullTrainingData(
                folder, grid, cacheDir, validationFraction, options, validationSamples, loadThreads, licence, true);
    }

    private SkullTrainingData(
            Path folder,
            GridSpec grid,
            Path cacheDir,
            double validationFraction,
            SampleOptions options,
            int validationSamples,
            int loadThreads,
            String licence,
            @SuppressWarnings("unused") boolean vault) {
        this.grid = grid;
        this.validationSamples = validationSamples;
        this.licence = licence;
        NetworkGrid networkGrid = grid.networkGrid();
        VaultLibrary library = VaultLibrary.load(folder, cacheDir, loadThreads);
        if (library.size() < 2) {
            throw new CalvariaException("training needs at least 2 skulls (one is held out for validation); " + folder
                    + " has " + library.size());
        }
        java.util.Set<String> val = library.validationIds(validationFraction, options.seed());
        VaultLibrary valLibrary = library.subset(val, true), trainLibrary = library.subset(val, false);
        if (valLibrary == null || trainLibrary == null) {
            throw new CalvariaException(
                    "no validation skulls with --val-split " + validationFraction + "; give a larger fraction");
        }
        validationIds = List.copyOf(val);
        training = trainLibrary.samples(networkGrid, options);
        validationSource =
                () -> valLibrary.samples(networkGrid, options.withSeed(options.seed() + VALIDATION_SEED_OFFSET));
        description =
                describe(folder, "grids turned to the whole vault", trainLibrary.size(), validationIds, options, grid);
    }

    private static String describe(
            Path folder,
            String placement,
            int trainSkulls,
            List<String> validationIds,
            SampleOptions options,
            GridSpec grid) {
        return String.format(
                Locale.ROOT,
                "%s: %d training skulls, %d validation skulls %s; %s; defects %s, %.0f-%.0f%% of the bone on the"
                        + " grid, real defects %.0f%% where available, augmentation %s; grid %s, seed %d",
                folderName(folder),
                trainSkulls,
                validationIds.size(),
                validationIds,
                placement,
                options.types(),
                100 * options.minFraction(),
                100 * options.maxFraction(),
                100 * options.realDefectShare(),
                options.augment() ? "on" : "off",
                grid,
                options.seed());
    }

    /** The folder's own name (no machine-specific path in a shipped model). */
    private static String folderName(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return (name == null ? folder.toString() : name.toString()) + "/";
    }

    @Override
    public GridSpec grid() {
        return grid;
    }

    @Override
    public void seek(long sampleIndex) {
        // seeking drops prefetched samples, so only when the stream is elsewhere (e.g. after resuming)
        if (training.position() != sampleIndex) training.seek(sampleIndex);
    }

    @Override
    public Batch next(int size) {
        return training.next(size);
    }

    @Override
    public synchronized List<Batch> validation() {
        if (validation == null) {
            List<Batch> list = new ArrayList<>();
            try (SkullSampleSource source = validationSource.get()) {
                int v = grid.voxelCount();
                for (int first = 0; first < validationSamples; first += VALIDATION_BATCH) {
                    int count = Math.min(VALIDATION_BATCH, validationSamples - first);
                    float[] defective = new float[count * v];
                    float[] complete = new float[count * v];
                    for (int k = 0; k < count; k++) {
                        Sample s = source.sample(first + k);
                        int offset = k * v;
                        s.defective().forEachSet(i -> defective[offset + i] = 1f);
                        s.complete().forEachSet(i -> complete[offset + i] = 1f);
                    }
                    list.add(new Batch(defective, complete, count));
                }
            }
            validation = Collections.unmodifiableList(list);
        }
        return validation;
    }

    public List<String> validationSkullIds() {
        return validationIds;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String licence() {
        return licence;
    }

    @Override
    public void close() {
        training.close();
    }
}
