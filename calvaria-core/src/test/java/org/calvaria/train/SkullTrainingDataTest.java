package org.calvaria.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calvaria.Progress;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.ModelFile;
import org.calvaria.dataset.Batch;
import org.calvaria.dataset.SampleOptions;
import org.calvaria.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training on real SkullFix skulls through the dataset module (skips without ../shared/data). */
class SkullTrainingDataTest {
    @TempDir
    Path tmp;

    @Test
    void realSkullsStreamPairsSplitBySkullAndTrain() throws IOException {
        Path skulls = tmp.resolve("skulls");
        for (String id : List.of("000", "001", "002")) {
            for (String part : List.of("complete_skull", "defective_skull")) {
                Path target = SharedData.skullfix(part, id);
                Files.createDirectories(skulls.resolve(part));
                Files.createSymbolicLink(skulls.resolve(part).resolve(id + ".nrrd"), target);
            }
        }
        Progress.enabled(false);
        GridSpec grid = new GridSpec(48, 48, 16, 70);
        SampleOptions sampling = SampleOptions.defaults(3).withThreads(1, 2);
        try (SkullTrainingData data = new SkullTrainingData(
                skulls, grid, tmp.resolve("cache"), 0.34, sampling, 2, 2, "CC BY-NC-SA 4.0 (SkullFix)")) {
            assertEquals(1, data.validationSkullIds().size());
            List<Batch> validation = data.validation();
            assertSame(validation, data.validation());
            Batch v = validation.get(0);
            assertEquals(2, v.count());
            data.seek(0);
            Batch first = data.next(2);
            int voxels = grid.voxelCount();
            for (int s = 0; s < 2; s++) {
                long bone = 0, missing = 0;
                for (int i = s * voxels; i < (s + 1) * voxels; i++) {
                    assertTrue(first.defective()[i] <= first.complete()[i]);
                    if (first.complete()[i] == 1) bone++;
                    if (first.complete()[i] == 1 && first.defective()[i] == 0) missing++;
                }
                assertTrue(bone > 0.02 * voxels, "skull on the grid: " + bone);
                assertTrue(missing > 0, "a defect was cut");
            }
            data.seek(0);
            assertArrayEquals(first.defective(), data.next(2).defective(), "the stream is positioned by index");

            Path out = tmp.resolve("run");
            TrainerOptions o = new TrainerOptions(
                    out, Architecture.wu2022(), 1, 2, 2, Optimizer.ADADELTA, Double.NaN, LossKind.BCE, 3, false, 2);
            Trainer.Result r = new Trainer(o).train(data);
            ValidationMetrics m = r.epochs().get(0).validation();
            assertEquals(2, m.samples());
            assertTrue(m.skullDice() >= 0 && m.skullDice() <= 1);
            ModelFile model = ModelFile.read(r.model());
            assertEquals("CC BY-NC-SA 4.0 (SkullFix)", model.licence());
            assertTrue(model.trainingData().contains("2 training skulls, 1 validation skulls"), model.trainingData());
        }
    }
}
