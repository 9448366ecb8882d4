package org.calvaria.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.CompletionModel;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.ModelFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    static final GridSpec TINY = new GridSpec(16, 16, 8, 80);

    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        Progress.enabled(false);
    }

    static SyntheticTrainingData data() {
        return new SyntheticTrainingData(TINY, 3, 1, 3, 1);
    }

    static TrainerOptions options(Path dir, int epochs) {
        return new TrainerOptions(
                dir, Architecture.wu2022(), epochs, 3, 2, Optimizer.ADAM, Double.NaN, LossKind.BCE, 5, false, 2);
    }

    @Test
    void trainsWritesModelCheckpointAndLogThenResumesExactly() throws IOException {
        Path a = tmp.resolve("a");
        Trainer.Result first = new Trainer(options(a, 2)).train(data());
        assertEquals(2, first.epochs().size());
        assertTrue(Files.isRegularFile(a.resolve(Trainer.MODEL)));
        assertTrue(Files.isRegularFile(a.resolve(Trainer.CHECKPOINT)));
        List<String> log = Files.readAllLines(a.resolve(Trainer.LOG));
        assertEquals(Trainer.CSV_HEADER, log.get(0));
        assertEquals(3, log.size(), String.join("\n", log));
        assertTrue(log.get(2).startsWith("2,6,"), log.get(2));
        String[] row2 = log.get(2).split(",", -1);
        assertEquals(9, row2.length);
        // CPU time grows from epoch to epoch; the log rounds it to 0.1 s (tiny epochs on an idle machine can round
        // to the same figure), so growth is checked on the records and the log against their rounding.
        double cpu1 = first.epochs().get(0).cpuSeconds(),
                cpu2 = first.epochs().get(1).cpuSeconds();
        assertTrue(cpu1 > 0 && cpu2 > cpu1, "CPU seconds grow: " + cpu1 + ", " + cpu2);
        assertEquals(
                String.format(java.util.Locale.ROOT, "%.1f", cpu1), log.get(1).split(",", -1)[8]);
        assertEquals(String.format(java.util.Locale.ROOT, "%.1f", cpu2), row2[8]);

        ModelFile model = ModelFile.read(a.resolve(Trainer.MODEL));
        assertEquals(0, model.optimizerState().size(), "deployable model carries no optimizer state");
        assertEquals(TINY, model.grid());
        assertTrue(model.trainingData().contains("synthetic"));
        assertTrue(model.metrics().containsKey("val_dice"));
        ModelFile checkpoint = ModelFile.read(a.resolve(Trainer.CHECKPOINT));
        assertEquals(2, ModelFile.number(checkpoint.training(), "epoch"));
        assertEquals(6, ModelFile.number(checkpoint.training(), "step"));
        assertEquals(2 * model.weights().size(), checkpoint.optimizerState().size());
        try (CompletionModel m = CompletionModel.load(a.resolve(Trainer.MODEL))) {
            assertEquals(TINY.voxelCount(), m.predict(new float[TINY.voxelCount()], 1).length);
        }

        // an interrupted epoch left a row behind: resuming drops it and redoes epoch 3
        Files.writeString(a.resolve(Trainer.LOG), "3,9,0.5,0.5,0.5,,,1.0\n", StandardOpenOption.APPEND);
        Trainer.Result resumed = new Trainer(options(a, 3).withResume(true)).train(data());
        assertEquals(1, resumed.epochs().size());
        assertEquals(3, resumed.epochs().get(0).epoch());
        log = Files.readAllLines(a.resolve(Trainer.LOG));
        assertEquals(4, log.size(), String.join("\n", log));
        assertFalse(log.get(3).startsWith("3,9,0.5,0.5,0.5"), "the stale row is gone");
        assertTrue(Double.parseDouble(log.get(3).split(",", -1)[8]) > cpu2, "CPU seconds carry over a resume");

        // the same run without interruption ends with the same weights
        Path b = tmp.resolve("b");
        new Trainer(options(b, 3)).train(data());
        ModelFile ra = ModelFile.read(a.resolve(Trainer.CHECKPOINT));
        ModelFile rb = ModelFile.read(b.resolve(Trainer.CHECKPOINT));
        for (String name : ra.weights().names()) {
            float[] x = ra.weights().values(name), y = rb.weights().values(name);
            for (int i = 0; i < x.length; i++) assertEquals(y[i], x[i], 1e-5, name + "[" + i + "]");
        }
        assertEquals(
                resumed.epochs().get(0).trainLoss(),
                Double.parseDouble(
                        Files.readAllLines(b.resolve(Trainer.LOG)).get(3).split(",")[2]),
                1e-5);
    }

    @Test
    void refusesToOverwriteARunAndToResumeNothing() {
        Path a = tmp.resolve("a");
        new Trainer(options(a, 1)).train(data());
        CalvariaException e = assertThrows(CalvariaException.class, () -> new Trainer(options(a, 1)).train(data()));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        Path empty = tmp.resolve("empty");
        e = assertThrows(
                CalvariaException.class, () -> new Trainer(options(empty, 1).withResume(true)).train(data()));
        assertTrue(e.getMessage().contains("nothing to resume"), e.getMessage());
    }

    @Test
    void aResumeMayLowerTheLearningRateAndLaterResumesKeepIt(@TempDir Path tmp) throws IOException {
        Path c = tmp.resolve("c");
        new Trainer(options(c, 1)).train(data());
        double before =
                ModelFile.number(ModelFile.read(c.resolve(Trainer.CHECKPOINT)).training(), "learning_rate");
        new Trainer(options(c, 2).withResume(true))
                .learningRateOnResume(before / 10)
                .train(data());
        assertEquals(before / 10, rateOf(c));
        new Trainer(options(c, 3).withResume(true)).train(data());
        assertEquals(before / 10, rateOf(c), "a resume without --lr keeps the lowered rate");
        assertEquals(4, Files.readAllLines(c.resolve(Trainer.LOG)).size(), "header and three epochs");
        assertThrows(CalvariaException.class, () -> new Trainer(options(c, 4)).learningRateOnResume(-1.0));
    }

    private static double rateOf(Path run) {
        return ModelFile.number(ModelFile.read(run.resolve(Trainer.CHECKPOINT)).training(), "learning_rate");
    }
}
