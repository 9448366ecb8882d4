package org.calvaria.complete;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Builds the completion network's forward pass ({@link Architecture}) in a TensorFlow graph. Tensors are NDHWC:
 * [batch, z, y, x, channels]; the input has one channel (1 = bone) and the output is one channel of logits.
 */
public final class NetworkGraph {
    private static final List<Long> UNIT = List.of(1L, 1L, 1L, 1L, 1L);
    private static final List<Long> POOL = List.of(1L, 2L, 2L, 2L, 1L);

    private NetworkGraph() {}

    /**
     * The logits for {@code input} [N, nz, ny, nx, 1]. {@code variable} gives each trainable tensor by its name in
     * {@link Architecture#variableShapes()} (a constant, a variable read or a placeholder).
     */
    public static Operand<TFloat32> logits(Ops tf, Architecture arch, GridSpec grid, Operand<TFloat32> input,
                                           Function<String, Operand<TFloat32>> variable) {
        return logits(tf, arch, grid, input, variable, (name, output) -> { });
    }

    /**
     * As {@link #logits(Ops, Architecture, GridSpec, Operand, Function)}, also handing each layer's output (after
     * pooling, residual or skip addition) to {@code layerOutput} under the layer's name.
     */
    public static Operand<TFloat32> logits(Ops tf, Architecture arch, GridSpec grid, Operand<TFloat32> input,
                                           Function<String, Operand<TFloat32>> variable,
                                           BiConsumer<String, Operand<TFloat32>> layerOutput) {
        List<Architecture.Layer> layers = arch.layers();
        int i = 0;
        Operand<TFloat32> s0 = conv(tf, layers.get(i++), input, grid, variable);
        layerOutput.accept("c0", s0);
        Operand<TFloat32> s1 = pool(tf, conv(tf, layers.get(i++), s0, grid, variable));
        layerOutput.accept("e1", s1);
        Operand<TFloat32> s2 = pool(tf, conv(tf, layers.get(i++), s1, grid, variable));
        layerOutput.accept("e2", s2);
        Operand<TFloat32> x = pool(tf, conv(tf, layers.get(i++), s2, grid, variable));
        layerOutput.accept("e3", x);
        for (int m = 0; m < arch.dilations().length; m++) {
            // residual skip between neighbouring mid layers
            Architecture.Layer layer = layers.get(i++);
            x = tf.math.add(x, conv(tf, layer, x, grid, variable));
            layerOutput.accept(layer.name(), x);
        }
        x = tf.math.add(conv(tf, layers.get(i++), upsample(tf, x, grid, 3), grid, variable), s2);
        layerOutput.accept("d1", x);
        x = tf.math.add(conv(tf, layers.get(i++), upsample(tf, x, grid, 2), grid, variable), s1);
        layerOutput.accept("d2", x);
        x = tf.math.add(conv(tf, layers.get(i++), upsample(tf, x, grid, 1), grid, variable), s0);
        layerOutput.accept("d3", x);
        Operand<TFloat32> logits = conv(tf, layers.get(i), x, grid, variable);
        layerOutput.accept("out", logits);
        return logits;
    }

    private static Operand<TFloat32> conv(Ops tf, Architecture.Layer layer, Operand<TFloat32> x, GridSpec grid,
                                          Function<String, Operand<TFloat32>> variable) {
        Ops scope = tf.withSubScope(layer.name());
        int d = layer.dilation();
        Operand<TFloat32> kernel = variable.apply(layer.name() + "/kernel");
        Operand<TFloat32> y;
        if (d == 1) {
            y = scope.nn.conv3d(x, kernel, UNIT, "SAME");
        } else {
            y = dilated(scope, x, kernel, d, new int[] {grid.nz() >> layer.level(), grid.ny() >> layer.level(),
                grid.nx() >> layer.level()});
        }
        y = scope.nn.biasAdd(y, variable.apply(layer.name() + "/bias"));
        return layer.relu() ? scope.nn.relu(y) : y;
    }

    /**
     * A 3x3x3 convolution with dilation {@code d} and SAME padding, computed as TensorFlow's own atrous convolution
     * does: space-to-batch by {@code d} (padding {@code d} on each side, plus what makes the size divisible by
     * {@code d}), an undilated VALID convolution, batch-to-space and crop. The result is the dilated convolution's,
     * but only undilated kernels run: TensorFlow's plain CPU kernels refuse dilation in the filter gradient, and on
     * some CPUs in the forward pass too.
     */
    static Operand<TFloat32> dilated(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel, int d, int[] sizes) {
        int[][] pad = new int[3][2], crop = new int[3][2];
        for (int a = 0; a < 3; a++) {
            int extra = (d - sizes[a] % d) % d;
            pad[a] = new int[] {d, d + extra};
            crop[a] = new int[] {0, extra};
        }
        Operand<org.tensorflow.types.TInt32> block = tf.constant(new int[] {d, d, d});
        Operand<TFloat32> b = tf.spaceToBatchNd(x, block, tf.constant(pad));
        Operand<TFloat32> y = tf.nn.conv3d(b, kernel, UNIT, "VALID");
        return tf.batchToSpaceNd(y, block, tf.constant(crop));
    }

    private static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> x) {
        return tf.nn.maxPool3d(x, POOL, POOL, "VALID");
    }

    /**
     * Nearest-neighbour x2 along z, y and x, from resolution {@code level} to {@code level - 1}. Done one axis at a
     * time with reshape + concat (rank 4 at most: the CPU kernels refuse the rank-8 broadcast a one-step version
     * would need). Shapes are int32 constants; the batch axis stays free.
     */
    static Operand<TFloat32> upsample(Ops tf, Operand<TFloat32> x, GridSpec grid, int level) {
        Ops s = tf.withSubScope("upsample" + level);
        int d = grid.nz() >> level, h = grid.ny() >> level, w = grid.nx() >> level;
        int c = (int) x.shape().get(4);
        Operand<TFloat32> t = s.reshape(x, s.constant(new int[] {-1, w, 1, c}));
        t = s.concat(List.of(t, t), s.constant(2));
        t = s.reshape(t, s.constant(new int[] {-1, h, 1, 2 * w * c}));
        t = s.concat(List.of(t, t), s.constant(2));
        t = s.reshape(t, s.constant(new int[] {-1, d, 1, 4 * h * w * c}));
        t = s.concat(List.of(t, t), s.constant(2));
        return s.reshape(t, s.constant(new int[] {-1, 2 * d, 2 * h, 2 * w, c}));
    }
}
