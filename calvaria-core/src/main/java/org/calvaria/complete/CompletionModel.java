package org.calvaria.complete;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.calvaria.CalvariaException;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A loaded completion network ready for inference: one TensorFlow graph with the weights as constants and one
 * session reused for every call, using all available cores (or the GPU in a {@code -Pgpu} build).
 * Thread-safe ({@link #predict} calls are serialised).
 */
public final class CompletionModel implements AutoCloseable {
    /** Classpath location of the bundled default model. */
    public static final String DEFAULT_RESOURCE = "/models/default" + ModelFile.EXTENSION;
    /** Samples per session run: bounds memory (about 40 MB per sample on the 112x112x40 grid). */
    private static final int CHUNK = 8;

    private final ModelFile file;
    /**
     * The graph and session, built on a thread of their own: loading TensorFlow's native library and building the
     * graph take about a second, which a caller spends reading and preparing the scan meanwhile. The first
     * {@link #predict} or {@link #device} waits for it.
     */
    private final CompletableFuture<Loaded> loading = new CompletableFuture<>();

    private boolean closed;

    private record Loaded(
            Graph graph,
            Session session,
            Placeholder<TFloat32> input,
            Operand<TFloat32> probabilities,
            String device) {}

    private CompletionModel(ModelFile file, int threads) {
        this.file = file;
        Thread loader = new Thread(
                () -> {
                    try {
                        loading.complete(build(file, threads));
                    } catch (Throwable t) {
                        loading.completeExceptionally(t);
                    }
                },
                "tensorflow-model-load");
        loader.setDaemon(true);
        loader.start();
    }

    private static Loaded build(ModelFile file, int threads) {
        GridSpec grid = file.grid();
        Weights w = file.weights();
        Graph g = new Graph();
        try {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> input = tf.withName("input")
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, grid.nz(), grid.ny(), grid.nx(), 1)));
            Operand<TFloat32> logits = NetworkGraph.logits(
                    tf,
                    file.architecture(),
                    grid,
                    input,
                    name -> tf.constant(
                            Shape.of(Arrays.stream(w.shape(name))
                                    .mapToLong(x -> x)
                                    .toArray()),
                            DataBuffers.of(w.values(name), true, false)));
            Operand<TFloat32> probabilities = tf.withName("probabilities").math.sigmoid(logits);
            Session session = new Session(g, TensorFlowSupport.inferenceSessionConfig(threads));
            return new Loaded(g, session, input, probabilities, TensorFlowSupport.device());
        } catch (RuntimeException | Error e) {
            g.close();
            throw e;
        }
    }

    /** The built graph and session, waiting for the loader; its failure is rethrown as it was. */
    private Loaded loaded() {
        try {
            return loading.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new CalvariaException("cannot load the completion model: " + cause, cause);
        }
    }

    /** Loads a model file and prepares it for inference on all cores. */
    public static CompletionModel load(Path path) {
        return load(ModelFile.read(path), TensorFlowSupport.defaultThreads());
    }

    /** Prepares an in-memory model for inference with the given number of CPU threads. */
    public static CompletionModel load(ModelFile file, int threads) {
        return new CompletionModel(file, threads);
    }

    /** A model file, or the bundled model when {@code path} is null or the word {@code default}. */
    public static CompletionModel open(Path path) {
        return path == null || path.toString().equals("default") ? loadDefault() : load(path);
    }

    /** The model bundled with the tool (classpath resource {@value #DEFAULT_RESOURCE}). */
    public static CompletionModel loadDefault() {
        return load(defaultModelFile(), TensorFlowSupport.defaultThreads());
    }

    /** The bundled model's file, or a clear failure when this build has none. */
    public static ModelFile defaultModelFile() {
        try (InputStream in = CompletionModel.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new CalvariaException("this build has no bundled completion model (" + DEFAULT_RESOURCE
                        + " missing); give one with --model FILE or train one with 'calvaria train'");
            }
            return ModelFile.read(in.readAllBytes(), "bundled model " + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new CalvariaException("cannot read the bundled model: " + e.getMessage(), e);
        }
    }

    /**
     * Completion probabilities for {@code n} inputs on the model's grid, each [z][y][x] (x fastest) with 1 = bone,
     * 0 = background; the result has the same layout, values in [0, 1].
     */
    public synchronized float[] predict(float[] input, int n) {
        if (closed) throw new IllegalStateException("model is closed");
        GridSpec grid = file.grid();
        int voxels = grid.voxelCount();
        if (n < 1 || input == null || (long) n * voxels != input.length) {
            throw new CalvariaException("network input has " + (input == null ? 0 : input.length) + " values; " + n
                    + " sample(s) on the " + grid.nx() + "x" + grid.ny() + "x" + grid.nz() + " grid need "
                    + (long) n * voxels);
        }
        Loaded m = loaded();
        float[] out = new float[input.length];
        for (int first = 0; first < n; first += CHUNK) {
            int count = Math.min(CHUNK, n - first);
            float[] chunk = first == 0 && count == n
                    ? input
                    : Arrays.copyOfRange(input, first * voxels, (first + count) * voxels);
            try (TFloat32 t = TensorFlowSupport.tensor(chunk, count, grid.nz(), grid.ny(), grid.nx(), 1);
                    Result r = m.session()
                            .runner()
                            .feed(m.input(), t)
                            .fetch(m.probabilities())
                            .run()) {
                ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false).offset((long) first * voxels));
            }
        }
        return out;
    }

    public ModelFile modelFile() {
        return file;
    }

    public Architecture architecture() {
        return file.architecture();
    }

    public GridSpec grid() {
        return file.grid();
    }

    /** Probability at or above which a voxel is bone. */
    public double threshold() {
        return file.threshold();
    }

    /** "CPU", or the GPU TensorFlow uses, e.g. "GPU:0 (79.1 GiB)". */
    public String device() {
        return loaded().device();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Loaded m;
        try {
            m = loading.join();
        } catch (CompletionException failedToLoad) {
            return; // nothing was left open
        }
        m.session().close();
        m.graph().close();
    }
}
