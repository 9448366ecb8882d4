package org.calvaria.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.CompletionModel;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.ModelFile;
import org.calvaria.complete.TensorFlowSupport;
import org.calvaria.complete.Weights;
import org.calvaria.dataset.Batch;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * Times the network on this machine with the engine that runs it: the forward pass on one sample, one training step
 * at a batch size, and a large float32 matrix multiply in the same engine as the compute floor. All timings are
 * medians of repeated runs after a warm-up.
 */
public final class NetBenchmark {
    /** Measured figures. */
    public record Figures(
            String device,
            int threads,
            Architecture architecture,
            GridSpec grid,
            double forwardFlops,
            double forwardSeconds,
            int trainBatch,
            double trainStepSeconds,
            int matmulSize,
            double matmulFlopsPerSecond) {
        public double forwardFlopsPerSecond() {
            return forwardFlops / forwardSeconds;
        }

        /** Forward time over the time the same FLOPs would take at the matrix-multiply rate (1 = at the floor). */
        public double ratioToFloor() {
            return forwardSeconds / (forwardFlops / matmulFlopsPerSecond);
        }

        public String report() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "device:          %s, %d threads%n", device, threads));
            b.append(String.format(Locale.ROOT, "network:         %s%n", architecture.describe()));
            b.append(String.format(
                    Locale.ROOT, "grid:            %d x %d x %d (x, y, z)%n", grid.nx(), grid.ny(), grid.nz()));
            b.append(String.format(Locale.ROOT, "forward cost:    %.3f GFLOP per sample%n", forwardFlops / 1e9));
            b.append(String.format(
                    Locale.ROOT,
                    "forward time:    %.4f s (1 sample, median) = %.1f GFLOP/s%n",
                    forwardSeconds,
                    forwardFlopsPerSecond() / 1e9));
            b.append(String.format(
                    Locale.ROOT,
                    "train step:      %.3f s (batch %d, median) = %.3f s per sample%n",
                    trainStepSeconds,
                    trainBatch,
                    trainStepSeconds / trainBatch));
            b.append(String.format(
                    Locale.ROOT,
                    "matmul floor:    %.1f GFLOP/s (%dx%d float32 MatMul)%n",
                    matmulFlopsPerSecond / 1e9,
                    matmulSize,
                    matmulSize));
            b.append(String.format(
                    Locale.ROOT, "forward / floor: %.2fx (forward time / (GFLOP / matmul GFLOP/s))%n", ratioToFloor()));
            return b.toString();
        }
    }

    private NetBenchmark() {}

    public static Figures run(
            Architecture arch, GridSpec grid, int threads, int trainBatch, int repeats, int matmulSize) {
        TensorFlowSupport.registerGradients();
        Weights weights = Weights.glorotUniform(arch, 1);
        Random random = new Random(1);
        SyntheticTrainingData data = new SyntheticTrainingData(grid, 2, 1, 1, 1);
        data.seek(1);
        Batch batch = data.next(trainBatch);

        double forward;
        try (CompletionModel model = CompletionModel.load(ModelFile.of(arch, grid, weights), threads)) {
            float[] one = Arrays.copyOf(batch.defective(), grid.voxelCount());
            forward = median(repeats, () -> model.predict(one, 1));
        }
        double step;
        try (TrainingGraph net = new TrainingGraph(arch, grid, Optimizer.ADADELTA, 1.0, LossKind.BCE, threads)) {
            net.load(weights, null);
            long[] counter = {0};
            step = median(Math.max(2, repeats / 3), () -> net.step(batch, ++counter[0]));
        }
        double matmul = matmulFlopsPerSecond(matmulSize, threads, repeats, random);
        return new Figures(
                TensorFlowSupport.device(),
                threads,
                arch,
                grid,
                arch.forwardFlops(grid),
                forward,
                trainBatch,
                step,
                matmulSize,
                matmul);
    }

    /** FLOP/s of an n x n float32 matrix product in TensorFlow (2 n^3 per product, median run). */
    public static double matmulFlopsPerSecond(int n, int threads, int repeats, Random random) {
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() - 0.5f;
            b[i] = random.nextFloat() - 0.5f;
        }
        try (Graph g = new Graph();
                TFloat32 ta = TensorFlowSupport.tensor(a, n, n);
                TFloat32 tb = TensorFlowSupport.tensor(b, n, n)) {
            Ops tf = Ops.create(g);
            // fed, not constants: constant inputs would be folded away before the timed runs
            Placeholder<TFloat32> pa = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, n)));
            Placeholder<TFloat32> pb = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, n)));
            MatMul<TFloat32> product = tf.linalg.matMul(pa, pb);
            // a scalar result keeps the output copy out of the timing
            Operand<TFloat32> sum = tf.reduceSum(product, tf.constant(new int[] {0, 1}));
            try (Session s = new Session(g, TensorFlowSupport.sessionConfig(threads))) {
                double seconds = median(
                        repeats,
                        () -> s.runner()
                                .feed(pa, ta)
                                .feed(pb, tb)
                                .fetch(sum)
                                .run()
                                .close());
                return 2.0 * n * n * n / seconds;
            }
        }
    }

    /** Median wall time of {@code repeats} runs after one warm-up run. */
    static double median(int repeats, Runnable r) {
        r.run();
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return repeats % 2 == 1 ? t[repeats / 2] : (t[repeats / 2 - 1] + t[repeats / 2]) / 2;
    }
}
