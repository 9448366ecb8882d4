package org.calvaria.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.Provenance;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.ModelFile;
import org.calvaria.complete.Weights;
import org.calvaria.dataset.Batch;
import org.calvaria.files.Outputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the completion network on (defective, complete) pairs.
 *
 * <p>Each epoch runs {@code stepsPerEpoch} optimizer steps on batches from {@link TrainingData#next}, then scores the
 * fixed validation set and writes, in this order: a row of {@value #LOG}; {@value #MODEL} when the validation implant
 * Dice is the best so far (the deployable model, no optimizer state); and {@value #CHECKPOINT} (weights, optimizer
 * slots and position). Files are replaced atomically, so an interrupted run loses at most the current epoch and
 * {@code resume} continues exactly where the checkpoint left off (the data stream is positioned by sample index at every epoch start).
 */
public final class Trainer {
    public static final String CHECKPOINT = "checkpoint" + ModelFile.EXTENSION;
    public static final String MODEL = "model" + ModelFile.EXTENSION;
    public static final String LOG = "training-log.csv";
    static final String CSV_HEADER =
            "epoch,step,train_loss,val_loss,val_dice,val_implant_dice,val_implant_error,seconds,cpu_seconds";
    private static final Logger LOGGER = LoggerFactory.getLogger(Trainer.class);

    /** One finished epoch. */
    /**
     * One finished epoch. {@code seconds} is wall-clock time since the run began (over resumes); {@code cpuSeconds}
     * is the CPU time the training process spent on it (all threads, data loading excluded, NaN where the run began
     * before this was recorded): wall time depends on what else the machine runs, CPU time much less, so runs made
     * side by side on a busy machine are compared by it.
     */
    public record EpochRecord(
            int epoch, long step, double trainLoss, ValidationMetrics validation, double seconds, double cpuSeconds) {}

    /** What a run produced. */
    public record Result(Path model, Path checkpoint, Path log, List<EpochRecord> epochs) {}

    private final TrainerOptions requested;
    private Weights initialWeights;
    private String initialFrom;

    public Trainer(TrainerOptions options) {
        this.requested = options;
    }

    private Double rateOnResume;

    /**
     * Starts a new run from trained weights instead of random ones (fine-tuning; e.g. the paper's vertex model as the
     * start of a model for the whole vault). The architecture must match; ignored when resuming.
     */
    public Trainer startingFrom(ModelFile model, String from) {
        if (!model.architecture().sameShapeAs(requested.architecture())) {
            throw new CalvariaException("--init model " + from + " has architecture "
                    + model.architecture().describe() + ", not "
                    + requested.architecture().describe() + "; give the same --arch");
        }
        this.initialWeights = model.weights();
        this.initialFrom = from;
        return this;
    }

    /**
     * When resuming, continues with this learning rate instead of the checkpoint's (a step decay once the validation
     * curve flattens); the checkpoint then records the new rate, so later resumes keep it. Null: the checkpoint's.
     */
    public Trainer learningRateOnResume(Double rate) {
        if (rate != null && !(rate > 0 && !rate.isInfinite())) {
            throw new CalvariaException("--lr must be a positive number, got " + rate);
        }
        this.rateOnResume = rate;
        return this;
    }

    /** Runs (or resumes) training to the requested number of epochs. */
    public Result train(TrainingData data) {
        Path dir = requested.outputDir();
        Path checkpointPath = dir.resolve(CHECKPOINT);
        Path modelPath = dir.resolve(MODEL);
        Path logPath = dir.resolve(LOG);
        GridSpec grid = data.grid();

        TrainerOptions o = requested;
        Weights weights;
        Weights slots = null;
        int startEpoch = 0;
        long step = 0;
        double secondsBefore = 0;
        double cpuBefore = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        if (requested.resume()) {
            if (!Files.isRegularFile(checkpointPath)) {
                throw new CalvariaException(
                        "nothing to resume: " + dir + " has no " + CHECKPOINT + "; start without --resume");
            }
            ModelFile ckpt = ModelFile.read(checkpointPath);
            o = settingsFromCheckpoint(ckpt, requested);
            if (rateOnResume != null && rateOnResume != o.learningRate()) {
                LOGGER.info(
                        "learning rate {} -> {} from epoch {}",
                        o.learningRate(),
                        rateOnResume,
                        (long) ModelFile.number(ckpt.training(), "epoch") + 1);
                o = o.withLearningRate(rateOnResume);
            }
            if (!ckpt.grid().equals(grid)) {
                throw new CalvariaException("checkpoint grid " + ckpt.grid() + " differs from the data's " + grid
                        + "; resume with the same data settings");
            }
            weights = ckpt.weights();
            slots = ckpt.optimizerState();
            startEpoch = (int) ModelFile.number(ckpt.training(), "epoch");
            step = (long) ModelFile.number(ckpt.training(), "step");
            secondsBefore = ModelFile.number(ckpt.training(), "seconds");
            cpuBefore = ModelFile.number(ckpt.training(), "cpu_seconds");
            double best = ModelFile.number(ckpt.training(), "best_score");
            bestScore = Double.isNaN(best) ? Double.NEGATIVE_INFINITY : best;
            truncateLog(logPath, startEpoch);
            LOGGER.info("resuming {} at epoch {} (step {})", dir, startEpoch, step);
            if (startEpoch >= o.epochs()) {
                LOGGER.info("checkpoint already has {} epochs; raise --epochs to train further", startEpoch);
            }
        } else {
            if (Files.exists(checkpointPath)) {
                throw new CalvariaException("output folder " + dir + " already holds a training run (" + CHECKPOINT
                        + "); add --resume to continue it or choose another -o");
            }
            weights = initialWeights != null ? initialWeights : Weights.glorotUniform(o.architecture(), o.seed());
            if (initialWeights != null) LOGGER.info("starting from the weights of {}", initialFrom);
            Outputs.writeAtomically(logPath, out -> out.write((CSV_HEADER + "\n").getBytes(StandardCharsets.UTF_8)));
        }

        Architecture arch = o.architecture();
        LOGGER.info(
                "training {} on {} grid, {} (lr {}), loss {}, batch {}, {} steps/epoch, {} threads",
                arch.describe(),
                grid,
                o.optimizer().id(),
                o.learningRate(),
                o.loss().id(),
                o.batchSize(),
                o.stepsPerEpoch(),
                o.threads());
        LOGGER.info("data: {}", data.description());

        List<EpochRecord> history = new ArrayList<>();
        try (TrainingGraph net =
                new TrainingGraph(arch, grid, o.optimizer(), o.learningRate(), o.loss(), o.threads())) {
            net.load(weights, slots);
            List<Batch> validation = data.validation();
            long runStart = System.nanoTime();
            double cpuAtStart = processCpuSeconds();
            long stepsThisRun = 0;
            double validationSeconds = 0;
            String lastValidation = "";
            for (int epoch = startEpoch; epoch < o.epochs(); epoch++) {
                data.seek((long) epoch * o.stepsPerEpoch() * o.batchSize());
                double lossSum = 0;
                try (Progress progress = Progress.start(
                        String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, o.epochs()), o.stepsPerEpoch())) {
                    for (int s = 0; s < o.stepsPerEpoch(); s++) {
                        Batch batch = data.next(o.batchSize());
                        double loss = net.step(batch, ++step);
                        if (!Double.isFinite(loss)) {
                            throw new CalvariaException("training diverged at step " + step + " (loss " + loss
                                    + "); lower --lr, or --resume from the last checkpoint");
                        }
                        lossSum += loss;
                        stepsThisRun++;
                        double elapsed = (System.nanoTime() - runStart) / 1e9 - validationSeconds;
                        long stepsLeft =
                                (long) (o.epochs() - epoch - 1) * o.stepsPerEpoch() + (o.stepsPerEpoch() - s - 1);
                        double validationPerEpoch = epoch > startEpoch ? validationSeconds / (epoch - startEpoch) : 0;
                        double eta = elapsed / stepsThisRun * stepsLeft + validationPerEpoch * (o.epochs() - epoch);
                        progress.message(String.format(
                                Locale.ROOT,
                                " loss %.4f | mean %.4f%s | ETA %s",
                                loss,
                                lossSum / (s + 1),
                                lastValidation,
                                duration(eta)));
                        progress.step();
                    }
                }
                long validationStart = System.nanoTime();
                ValidationMetrics metrics = validate(net, validation);
                validationSeconds += (System.nanoTime() - validationStart) / 1e9;
                double seconds = secondsBefore + (System.nanoTime() - runStart) / 1e9;
                double cpuSeconds = cpuBefore + (processCpuSeconds() - cpuAtStart);
                EpochRecord record =
                        new EpochRecord(epoch + 1, step, lossSum / o.stepsPerEpoch(), metrics, seconds, cpuSeconds);
                lastValidation = String.format(
                        Locale.ROOT, " | val Dice %.3f, implant %.3f", metrics.skullDice(), metrics.implantDice());
                history.add(record);
                appendLog(logPath, record);

                double score = Double.isNaN(metrics.implantDice()) ? metrics.skullDice() : metrics.implantDice();
                Weights current = net.weights();
                boolean best = score > bestScore || !Files.exists(modelPath);
                if (best && !Double.isNaN(score)) bestScore = score;
                Map<String, Object> training = trainingState(o, record, bestScore);
                ModelFile model = ModelFile.of(arch, grid, current)
                        .withDescription(data.description(), data.licence())
                        .withMetrics(metrics(record))
                        .withTraining(training);
                if (best) model.write(modelPath);
                model.withOptimizerState(net.slots()).write(checkpointPath);
                LOGGER.info(String.format(
                        Locale.ROOT,
                        "epoch %d/%d: step %d, train loss %.5f, val loss %.5f, val Dice %.4f, implant Dice %.4f"
                                + " (error rate %.3f)%s, %s elapsed",
                        record.epoch(),
                        o.epochs(),
                        step,
                        record.trainLoss(),
                        metrics.loss(),
                        metrics.skullDice(),
                        metrics.implantDice(),
                        metrics.implantErrorRate(),
                        best ? ", best so far -> " + modelPath : "",
                        duration(seconds)));
            }
        }
        return new Result(modelPath, checkpointPath, logPath, history);
    }

    /** Scores the network on the validation batches. */
    public static ValidationMetrics validate(TrainingGraph net, List<Batch> validation) {
        ValidationMetrics.Accumulator acc = new ValidationMetrics.Accumulator();
        for (Batch b : validation) {
            TrainingGraph.Evaluation e = net.evaluate(b);
            acc.addLoss(e.loss(), b.count());
            int v = b.sampleSize();
            for (int i = 0; i < b.count(); i++) {
                acc.add(e.probabilities(), b.defective(), b.complete(), i * v, v, 0.5);
            }
        }
        return acc.result();
    }

    private static TrainerOptions settingsFromCheckpoint(ModelFile ckpt, TrainerOptions asked) {
        Map<String, Object> t = ckpt.training();
        Optimizer optimizer = Optimizer.parse(String.valueOf(t.get("optimizer")));
        LossKind loss = LossKind.parse(String.valueOf(t.get("loss")));
        TrainerOptions o = new TrainerOptions(
                asked.outputDir(),
                ckpt.architecture(),
                asked.epochs(),
                (int) ModelFile.number(t, "steps_per_epoch"),
                (int) ModelFile.number(t, "batch"),
                optimizer,
                ModelFile.number(t, "learning_rate"),
                loss,
                (long) ModelFile.number(t, "seed"),
                true,
                asked.threads());
        if (!asked.architecture().sameShapeAs(o.architecture())
                || asked.optimizer() != o.optimizer()
                || asked.batchSize() != o.batchSize()
                || asked.loss() != o.loss()) {
            LOGGER.warn(
                    "resuming with the checkpoint's settings ({}, {}, batch {}, loss {}); other values given"
                            + " on the command line are ignored",
                    o.architecture().name(),
                    o.optimizer().id(),
                    o.batchSize(),
                    o.loss().id());
        }
        return o;
    }

    private static Map<String, Object> trainingState(TrainerOptions o, EpochRecord r, double bestScore) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("optimizer", o.optimizer().id());
        t.put("learning_rate", o.learningRate());
        if (o.optimizer() == Optimizer.ADADELTA) {
            t.put("rho", Optimizer.ADADELTA_RHO);
            t.put("epsilon", Optimizer.ADADELTA_EPSILON);
        } else {
            t.put("beta1", Optimizer.ADAM_BETA1);
            t.put("beta2", Optimizer.ADAM_BETA2);
            t.put("epsilon", Optimizer.ADAM_EPSILON);
        }
        t.put("loss", o.loss().id());
        t.put("batch", o.batchSize());
        t.put("steps_per_epoch", o.stepsPerEpoch());
        t.put("epochs_planned", o.epochs());
        t.put("seed", o.seed());
        t.put("epoch", r.epoch());
        t.put("step", r.step());
        t.put("seconds", r.seconds());
        t.put("cpu_seconds", Double.isFinite(r.cpuSeconds()) ? r.cpuSeconds() : null);
        t.put("best_score", Double.isInfinite(bestScore) ? null : bestScore);
        t.put("threads", o.threads());
        t.put("made_by", Provenance.line("train"));
        return t;
    }

    private static Map<String, Object> metrics(EpochRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        ValidationMetrics v = r.validation();
        m.put("epoch", r.epoch());
        m.put("train_loss", finite(r.trainLoss()));
        m.put("val_loss", finite(v.loss()));
        m.put("val_dice", finite(v.skullDice()));
        m.put("val_implant_dice", finite(v.implantDice()));
        m.put("val_implant_error_rate", finite(v.implantErrorRate()));
        m.put("val_samples", v.samples());
        return m;
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    private static void appendLog(Path log, EpochRecord r) {
        ValidationMetrics v = r.validation();
        String row = String.format(
                Locale.ROOT,
                "%d,%d,%.6f,%.6f,%.6f,%s,%s,%.1f,%s%n",
                r.epoch(),
                r.step(),
                r.trainLoss(),
                v.loss(),
                v.skullDice(),
                num(v.implantDice()),
                num(v.implantErrorRate()),
                r.seconds(),
                Double.isFinite(r.cpuSeconds()) ? String.format(Locale.ROOT, "%.1f", r.cpuSeconds()) : "");
        try {
            Files.writeString(log, row, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new CalvariaException("cannot write " + log + ": " + e.getMessage(), e);
        }
    }

    private static String num(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.6f", x) : "";
    }

    /** Keeps the header and the rows of epochs up to {@code epochs} (rows of a lost epoch are dropped). */
    private static void truncateLog(Path log, int epochs) {
        List<String> keep = new ArrayList<>();
        keep.add(CSV_HEADER);
        if (Files.isRegularFile(log)) {
            try {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.isBlank() || line.startsWith("epoch")) continue;
                    try {
                        if (Integer.parseInt(line.substring(0, line.indexOf(','))) <= epochs) keep.add(line);
                    } catch (RuntimeException e) {
                        // an unreadable (half-written) row is dropped
                    }
                }
            } catch (IOException e) {
                throw new CalvariaException("cannot read " + log + ": " + e.getMessage(), e);
            }
        }
        String text = String.join("\n", keep) + "\n";
        Outputs.writeAtomically(log, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** CPU time of this process so far (all threads, native ones included), seconds; NaN where unsupported. */
    static double processCpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            long ns = os.getProcessCpuTime();
            return ns < 0 ? Double.NaN : ns / 1e9;
        }
        return Double.NaN;
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
