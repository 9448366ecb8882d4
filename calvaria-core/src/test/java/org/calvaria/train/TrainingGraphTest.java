package org.calvaria.train;

import static org.junit.jupiter.api.Assertions.*;

import org.calvaria.CalvariaException;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.Weights;
import org.calvaria.dataset.Batch;
import org.junit.jupiter.api.Test;

class TrainingGraphTest {
    static final GridSpec TINY = new GridSpec(16, 16, 8, 80);

    static Batch fixedBatch() {
        SyntheticTrainingData data = new SyntheticTrainingData(TINY, 3, 1, 1, 5);
        data.seek(1);
        return data.next(2);
    }

    @Test
    void afewStepsLowerTheLossOnAFixedBatch() {
        Batch batch = fixedBatch();
        for (Optimizer opt : Optimizer.values()) {
            for (LossKind kind : LossKind.values()) {
                try (TrainingGraph net =
                        new TrainingGraph(Architecture.wu2022(), TINY, opt, opt.defaultLearningRate(), kind, 2)) {
                    net.load(Weights.glorotUniform(Architecture.wu2022(), 7), null);
                    double before = net.evaluate(batch).loss();
                    double first = net.step(batch, 1);
                    assertEquals(before, first, 1e-6, "step reports the loss before its update");
                    for (int s = 2; s <= 6; s++) net.step(batch, s);
                    double after = net.evaluate(batch).loss();
                    assertTrue(after < before - 1e-4, opt + " " + kind + ": loss " + before + " -> " + after);
                    // the slots moved away from zero
                    Weights slots = net.slots();
                    assertEquals(2 * Architecture.wu2022().variableShapes().size(), slots.size());
                    double sum = 0;
                    for (String n : slots.names()) for (float v : slots.values(n)) sum += Math.abs(v);
                    assertTrue(sum > 0, "optimizer state is updated");
                }
            }
        }
    }

    @Test
    void weightsAndSlotsRoundTripThroughTheEngine() {
        Batch batch = fixedBatch();
        Weights w;
        Weights slots;
        double next;
        try (TrainingGraph net =
                new TrainingGraph(Architecture.wu2022(), TINY, Optimizer.ADAM, 1e-3, LossKind.BCE, 1)) {
            net.load(Weights.glorotUniform(Architecture.wu2022(), 2), null);
            for (int s = 1; s <= 3; s++) net.step(batch, s);
            w = net.weights();
            slots = net.slots();
            next = net.step(batch, 4);
        }
        try (TrainingGraph net =
                new TrainingGraph(Architecture.wu2022(), TINY, Optimizer.ADAM, 1e-3, LossKind.BCE, 1)) {
            net.load(w, slots);
            assertTrue(net.weights().sameAs(w));
            assertTrue(net.slots().sameAs(slots));
            assertEquals(next, net.step(batch, 4), 1e-6);
        }
    }

    @Test
    void widerVariantsTrainAndRoundTripThroughTheModelFile() {
        Batch batch = fixedBatch();
        Architecture custom = Architecture.named("12,10,6,6/2,4");
        try (TrainingGraph net = new TrainingGraph(custom, TINY, Optimizer.ADAM, 1e-3, LossKind.BCE_DICE, 2)) {
            net.load(Weights.glorotUniform(custom, 1), null);
            double before = net.evaluate(batch).loss();
            for (int s = 1; s <= 4; s++) net.step(batch, s);
            assertTrue(net.evaluate(batch).loss() < before);
            org.calvaria.complete.ModelFile file = org.calvaria.complete.ModelFile.of(custom, TINY, net.weights());
            org.calvaria.complete.ModelFile back = org.calvaria.complete.ModelFile.read(file.toBytes(), "custom");
            assertEquals(custom, back.architecture());
            assertEquals(custom.parameterCount(), back.weights().parameterCount());
            float[] probabilities = net.evaluate(batch).probabilities();
            try (org.calvaria.complete.CompletionModel m = org.calvaria.complete.CompletionModel.load(back, 1)) {
                float[] again = m.predict(batch.defective(), batch.count());
                for (int i = 0; i < again.length; i++) assertEquals(probabilities[i], again[i], 1e-5);
            }
        }
    }

    @Test
    void weightsOfAnotherArchitectureAreRefused() {
        try (TrainingGraph net =
                new TrainingGraph(Architecture.wu2022(), TINY, Optimizer.ADADELTA, 1, LossKind.BCE, 1)) {
            CalvariaException e = assertThrows(
                    CalvariaException.class, () -> net.load(Weights.glorotUniform(Architecture.wide16(), 1), null));
            assertTrue(e.getMessage().contains("wu2022"), e.getMessage());
        }
    }

    @Test
    void bceMatchesItsDefinition() {
        Batch batch = fixedBatch();
        try (TrainingGraph net =
                new TrainingGraph(Architecture.wu2022(), TINY, Optimizer.ADADELTA, 1, LossKind.BCE, 1)) {
            net.load(Weights.glorotUniform(Architecture.wu2022(), 3), null);
            TrainingGraph.Evaluation e = net.evaluate(batch);
            double sum = 0;
            float[] p = e.probabilities();
            for (int i = 0; i < p.length; i++) {
                double y = batch.complete()[i];
                double q = Math.min(Math.max(p[i], 1e-7), 1 - 1e-7);
                sum -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
            }
            assertEquals(sum / p.length, e.loss(), 1e-4);
        }
    }
}
