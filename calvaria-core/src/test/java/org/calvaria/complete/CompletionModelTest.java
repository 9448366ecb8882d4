package org.calvaria.complete;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Random;
import org.calvaria.CalvariaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionModelTest {
    @TempDir
    Path tmp;

    @Test
    void savedAndLoadedModelGivesIdenticalOutputs() {
        GridSpec grid = new GridSpec(32, 24, 16, 70);
        ModelFile file = ModelFile.of(Architecture.wu2022(), grid, Weights.glorotUniform(Architecture.wu2022(), 4));
        Path p = tmp.resolve("m" + ModelFile.EXTENSION);
        file.write(p);
        int n = 3;
        float[] input = new float[n * grid.voxelCount()];
        Random r = new Random(8);
        for (int i = 0; i < input.length; i++) input[i] = r.nextInt(4) == 0 ? 1 : 0;
        float[] before, after;
        try (CompletionModel m = CompletionModel.load(file, 2)) {
            before = m.predict(input, n);
            assertEquals("CPU", m.device().startsWith("GPU") ? "CPU" : m.device());
        }
        try (CompletionModel m = CompletionModel.load(p)) {
            after = m.predict(input, n);
            assertEquals(grid, m.grid());
            assertEquals(0.5, m.threshold());
        }
        assertArrayEquals(before, after);
        double min = 1, max = 0;
        for (float v : after) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(
                min >= 0 && max <= 1 && max - min > 1e-3,
                "probabilities in [0,1] and not constant: " + min + ".." + max);
        // samples are independent: predicting the second alone gives the same numbers
        float[] second = java.util.Arrays.copyOfRange(input, grid.voxelCount(), 2 * grid.voxelCount());
        try (CompletionModel m = CompletionModel.load(file, 1)) {
            float[] alone = m.predict(second, 1);
            for (int i = 0; i < alone.length; i++) assertEquals(after[grid.voxelCount() + i], alone[i], 1e-5);
        }
    }

    @Test
    void inferenceSkipsGraphRewritingAndStillMatchesTheIndependentReference() {
        org.tensorflow.proto.ConfigProto c = TensorFlowSupport.inferenceSessionConfig(3);
        assertTrue(c.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer());
        assertEquals(3, c.getIntraOpParallelismThreads());
        assertEquals(3, c.getInterOpParallelismThreads());
        assertFalse(
                TensorFlowSupport.sessionConfig(3)
                        .getGraphOptions()
                        .getRewriteOptions()
                        .getDisableMetaOptimizer(),
                "training sessions keep it");
        // the bundled kind of network (stacked dilations in the bottleneck), on a small grid
        GridSpec grid = new GridSpec(32, 32, 16, 50);
        Architecture arch = Architecture.named("8,8,32,64/1,2,4,1,2,4");
        Weights w = Weights.glorotUniform(arch, 3);
        float[] input = new float[grid.voxelCount()];
        Random r = new Random(2);
        for (int i = 0; i < input.length; i++) input[i] = r.nextInt(3) == 0 ? 1 : 0;
        double[] ref = ReferenceNetwork.logits(arch, grid, w, input);
        try (CompletionModel m = CompletionModel.load(ModelFile.of(arch, grid, w), 2)) {
            float[] p = m.predict(input, 1);
            double spread = 0;
            for (int i = 0; i < p.length; i++) {
                double expected = 1 / (1 + Math.exp(-ref[i]));
                assertEquals(expected, p[i], 1e-5, "voxel " + i);
                spread = Math.max(spread, Math.abs(expected - 0.5));
            }
            assertTrue(spread > 0.01, "the reference is not a constant 0.5: " + spread);
        }
    }

    @Test
    void wrongInputSizeFailsClearly() {
        GridSpec grid = new GridSpec(16, 16, 8, 70);
        try (CompletionModel m = CompletionModel.load(
                ModelFile.of(Architecture.wu2022(), grid, Weights.glorotUniform(Architecture.wu2022(), 4)), 1)) {
            CalvariaException e = assertThrows(CalvariaException.class, () -> m.predict(new float[100], 1));
            assertTrue(e.getMessage().contains("16x16x8"), e.getMessage());
        }
    }

    @Test
    void closingBeforeTheBackgroundLoadIsUsedLeavesNothingOpenAndRefusesLaterUse() {
        GridSpec grid = new GridSpec(16, 16, 8, 70);
        ModelFile file = ModelFile.of(Architecture.wu2022(), grid, Weights.glorotUniform(Architecture.wu2022(), 4));
        CompletionModel m = CompletionModel.load(file, 1);
        assertEquals(grid, m.grid()); // the file's facts need no TensorFlow
        m.close(); // waits for the loader, then closes its session and graph
        m.close();
        assertThrows(IllegalStateException.class, () -> m.predict(new float[grid.voxelCount()], 1));
    }
}
