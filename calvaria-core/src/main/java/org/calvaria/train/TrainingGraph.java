package org.calvaria.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.NetworkGraph;
import org.calvaria.complete.TensorFlowSupport;
import org.calvaria.complete.Weights;
import org.calvaria.dataset.Batch;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The network with its loss, gradients and optimizer update in one TensorFlow graph and session. Weights and
 * optimizer slots live in TensorFlow variables; {@link #load} and {@link #weights()}/{@link #slots()} move them to
 * and from the engine-independent {@link Weights}.
 */
public final class TrainingGraph implements AutoCloseable {
    /** Loss value and sigmoid probabilities of one evaluated batch. */
    public record Evaluation(double loss, float[] probabilities) {}

    private final Architecture arch;
    private final GridSpec grid;
    private final Optimizer optimizer;
    private final Graph graph;
    private final Session session;
    private final Placeholder<TFloat32> input;
    private final Placeholder<TFloat32> target;
    private final Placeholder<TFloat32> beta1Power;
    private final Placeholder<TFloat32> beta2Power;
    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> probabilities;
    private final Map<String, Operand<TFloat32>> weightReads = new LinkedHashMap<>();
    private final Map<String, Operand<TFloat32>> slotReads = new LinkedHashMap<>();
    private final Map<String, Placeholder<TFloat32>> initValues = new LinkedHashMap<>();
    private final Map<String, int[]> slotShapes = new LinkedHashMap<>();
    private final List<Op> initOps = new ArrayList<>();
    private final List<Op> updates = new ArrayList<>();

    public TrainingGraph(
            Architecture arch,
            GridSpec grid,
            Optimizer optimizer,
            double learningRate,
            LossKind lossKind,
            int threads) {
        TensorFlowSupport.registerGradients();
        this.arch = arch;
        this.grid = grid;
        this.optimizer = optimizer;
        Graph g = new Graph();
        try {
            Ops tf = Ops.create(g);
            Shape dataShape = Shape.of(-1, grid.nz(), grid.ny(), grid.nx(), 1);
            input = tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(dataShape));
            target = tf.withName("target").placeholder(TFloat32.class, Placeholder.shape(dataShape));
            beta1Power = tf.withName("beta1_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            beta2Power = tf.withName("beta2_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

            Map<String, Variable<TFloat32>> vars = new LinkedHashMap<>();
            for (Map.Entry<String, int[]> e : arch.variableShapes().entrySet()) {
                vars.put(e.getKey(), variable(tf, "weights/" + e.getKey(), e.getValue()));
                weightReads.put(
                        e.getKey(), tf.withName(opName("read/" + e.getKey())).identity(vars.get(e.getKey())));
            }
            Map<String, Variable<TFloat32>> slotVars = new LinkedHashMap<>();
            for (Map.Entry<String, int[]> e : arch.variableShapes().entrySet()) {
                for (String slot : optimizer.slots()) {
                    String name = slot + "/" + e.getKey();
                    slotShapes.put(name, e.getValue());
                    slotVars.put(name, variable(tf, "slots/" + name, e.getValue()));
                    slotReads.put(name, tf.withName(opName("read_slot/" + name)).identity(slotVars.get(name)));
                }
            }

            Operand<TFloat32> logits = NetworkGraph.logits(tf, arch, grid, input, weightReads::get);
            probabilities = tf.withName("probabilities").math.sigmoid(logits);
            loss = tf.withName("loss").identity(loss(tf, lossKind, logits));

            List<String> names = new ArrayList<>(weightReads.keySet());
            Output<?>[] xs = new Output<?>[names.size()];
            for (int i = 0; i < xs.length; i++)
                xs[i] = weightReads.get(names.get(i)).asOutput();
            Output<?>[] grads = g.addGradients(loss.asOutput(), xs);
            // No variable may change before every gradient is computed: backward ops read the (aliased) weights.
            List<Op> allGradients = new ArrayList<>();
            for (Output<?> o : grads) allGradients.add(tf.identity(cast(o)));
            Ops after = tf.withControlDependencies(allGradients);
            Operand<TFloat32> lr = tf.constant((float) learningRate);
            for (int i = 0; i < grads.length; i++) {
                String n = names.get(i);
                Operand<TFloat32> grad = cast(grads[i]);
                if (optimizer == Optimizer.ADADELTA) {
                    updates.add(after.train.applyAdadelta(
                            vars.get(n),
                            slotVars.get("accum/" + n),
                            slotVars.get("accum_update/" + n),
                            lr,
                            tf.constant((float) Optimizer.ADADELTA_RHO),
                            tf.constant((float) Optimizer.ADADELTA_EPSILON),
                            grad));
                } else {
                    updates.add(after.train.applyAdam(
                            vars.get(n),
                            slotVars.get("m/" + n),
                            slotVars.get("v/" + n),
                            beta1Power,
                            beta2Power,
                            lr,
                            tf.constant((float) Optimizer.ADAM_BETA1),
                            tf.constant((float) Optimizer.ADAM_BETA2),
                            tf.constant((float) Optimizer.ADAM_EPSILON),
                            grad));
                }
            }
            for (Map.Entry<String, Variable<TFloat32>> e : vars.entrySet())
                init(tf, "weights/" + e.getKey(), e.getValue());
            for (Map.Entry<String, Variable<TFloat32>> e : slotVars.entrySet())
                init(tf, "slots/" + e.getKey(), e.getValue());
            session = new Session(g, TensorFlowSupport.sessionConfig(threads));
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        graph = g;
    }

    @SuppressWarnings("unchecked")
    private static Operand<TFloat32> cast(Output<?> o) {
        return (Operand<TFloat32>) o;
    }

    private static Variable<TFloat32> variable(Ops tf, String name, int[] shape) {
        return tf.withName(opName(name))
                .variable(Shape.of(Arrays.stream(shape).mapToLong(x -> x).toArray()), TFloat32.class);
    }

    /** TensorFlow op names may not contain '/' (that is the scope separator). */
    private static String opName(String name) {
        return name.replace("/", "__");
    }

    private void init(Ops tf, String key, Variable<TFloat32> v) {
        Placeholder<TFloat32> value =
                tf.withName(opName("init_value/" + key)).placeholder(TFloat32.class, Placeholder.shape(v.shape()));
        initValues.put(key, value);
        initOps.add(tf.withName(opName("init/" + key)).assign(v, value));
    }

    /** Mean binary cross-entropy from logits, softplus(z) - z*y (stable for large |z|), plus an optional Dice term. */
    static Operand<TFloat32> loss(
            Ops tf, LossKind kind, Operand<TFloat32> logits, Operand<TFloat32> defective, Operand<TFloat32> complete) {
        Operand<TInt32> all = tf.constant(new int[] {0, 1, 2, 3, 4});
        Operand<TFloat32> bce = tf.math.mean(tf.math.sub(tf.math.softplus(logits), tf.math.mul(logits, complete)), all);
        if (kind == LossKind.BCE) return bce;
        // soft Dice of the implant: probability and truth restricted to voxels the input lacks, per sample
        Operand<TFloat32> missing = tf.math.sub(tf.constant(1f), defective);
        Operand<TFloat32> p = tf.math.mul(tf.math.sigmoid(logits), missing);
        Operand<TFloat32> y = tf.math.mul(complete, missing);
        Operand<TInt32> spatial = tf.constant(new int[] {1, 2, 3, 4});
        Operand<TFloat32> eps = tf.constant(1f);
        Operand<TFloat32> overlap = tf.reduceSum(tf.math.mul(p, y), spatial);
        Operand<TFloat32> sizes = tf.math.add(tf.reduceSum(p, spatial), tf.reduceSum(y, spatial));
        Operand<TFloat32> dice =
                tf.math.div(tf.math.add(tf.math.mul(tf.constant(2f), overlap), eps), tf.math.add(sizes, eps));
        Operand<TFloat32> diceLoss = tf.math.sub(tf.constant(1f), tf.math.mean(dice, tf.constant(0)));
        return tf.math.add(bce, diceLoss);
    }

    private Operand<TFloat32> loss(Ops tf, LossKind kind, Operand<TFloat32> logits) {
        return loss(tf, kind, logits, input, target);
    }

    /** Sets the weights and the optimizer slots (missing slots start at zero). */
    public void load(Weights weights, Weights slots) {
        weights.requireShapes(arch.variableShapes(), "initial weights", arch.name());
        List<Tensor> owned = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (String name : weightReads.keySet()) {
                TFloat32 t = TensorFlowSupport.tensor(weights.values(name), longs(weights.shape(name)));
                owned.add(t);
                runner.feed(initValues.get("weights/" + name), t);
            }
            for (Map.Entry<String, int[]> e : slotShapes.entrySet()) {
                float[] values = slots != null && slots.contains(e.getKey())
                        ? slots.values(e.getKey())
                        : new float[Weights.size(e.getValue())];
                if (values.length != Weights.size(e.getValue())) {
                    throw new IllegalArgumentException("optimizer slot " + e.getKey() + " has the wrong size");
                }
                TFloat32 t = TensorFlowSupport.tensor(values, longs(e.getValue()));
                owned.add(t);
                runner.feed(initValues.get("slots/" + e.getKey()), t);
            }
            for (Op op : initOps) runner.addTarget(op);
            runner.run().close();
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    private static long[] longs(int[] a) {
        return Arrays.stream(a).mapToLong(x -> x).toArray();
    }

    /**
     * One optimizer step on the batch; returns the loss before the update. {@code step} is the 1-based count of
     * updates so far including this one (Adam's bias correction).
     */
    public double step(Batch batch, long step) {
        requireGrid(batch);
        try (TFloat32 in = TensorFlowSupport.tensor(batch.defective(), shape(batch));
                TFloat32 out = TensorFlowSupport.tensor(batch.complete(), shape(batch));
                TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(Optimizer.ADAM_BETA1, (double) step));
                TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(Optimizer.ADAM_BETA2, (double) step))) {
            Session.Runner runner =
                    session.runner().feed(input, in).feed(target, out).fetch(loss);
            if (optimizer == Optimizer.ADAM) runner.feed(beta1Power, b1).feed(beta2Power, b2);
            for (Op u : updates) runner.addTarget(u);
            try (Result r = runner.run()) {
                return ((TFloat32) r.get(0)).getFloat();
            }
        }
    }

    /** Loss and probabilities without updating anything. */
    public Evaluation evaluate(Batch batch) {
        requireGrid(batch);
        try (TFloat32 in = TensorFlowSupport.tensor(batch.defective(), shape(batch));
                TFloat32 out = TensorFlowSupport.tensor(batch.complete(), shape(batch));
                Result r = session.runner()
                        .feed(input, in)
                        .feed(target, out)
                        .fetch(loss)
                        .fetch(probabilities)
                        .run()) {
            return new Evaluation(((TFloat32) r.get(0)).getFloat(), TensorFlowSupport.values((TFloat32) r.get(1)));
        }
    }

    private void requireGrid(Batch batch) {
        if (batch.sampleSize() != grid.voxelCount()) {
            throw new IllegalArgumentException(
                    "batch samples of " + batch.sampleSize() + " voxels are not on the" + " network's grid " + grid);
        }
    }

    private long[] shape(Batch b) {
        return new long[] {b.count(), grid.nz(), grid.ny(), grid.nx(), 1};
    }

    /** Current weights. */
    public Weights weights() {
        return fetch(weightReads, arch.variableShapes());
    }

    /** Current optimizer slots, named {@code <slot>/<variable>}. */
    public Weights slots() {
        return fetch(slotReads, slotShapes);
    }

    private Weights fetch(Map<String, Operand<TFloat32>> reads, Map<String, int[]> shapes) {
        Session.Runner runner = session.runner();
        List<String> names = new ArrayList<>(reads.keySet());
        for (String n : names) runner.fetch(reads.get(n));
        Weights w = new Weights();
        try (Result r = runner.run()) {
            for (int i = 0; i < names.size(); i++) {
                w.put(names.get(i), shapes.get(names.get(i)), TensorFlowSupport.values((TFloat32) r.get(i)));
            }
        }
        return w;
    }

    public Architecture architecture() {
        return arch;
    }

    public GridSpec grid() {
        return grid;
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
