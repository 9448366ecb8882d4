package org.calvaria.complete;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

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
    public static Operand<TFloat32> logits(
            Ops tf,
            Architecture arch,
            GridSpec grid,
            Operand<TFloat32> input,
            Function<String, Operand<TFloat32>> variable) {
        return logits(tf, arch, grid, input, variable, (name, output) -> {});
    }

    /**
     * As {@link #logits(Ops, Architecture, GridSpec, Operand, Function)}, also handing each layer's output (after
     * pooling, residual or skip addition) to {@code layerOutput} under the layer's name.
     */
    public static Operand<TFloat32> logits(
            Ops tf,
            Architecture arch,
            GridSpec grid,
            Operand<TFloat32> input,
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

    private static Operand<TFloat32> conv(
            Ops tf,
            Architecture.Layer layer,
            Operand<TFloat32> x,
            GridSpec grid,
            Function<String, Operand<TFloat32>> variable) {
        Ops scope = tf.withSubScope(layer.name());
        int d = layer.dilation();
        Operand<TFloat32> kernel = variable.apply(layer.name() + "/kernel");
        Operand<TFloat32> y;
        if (d == 1) {
            y = scope.nn.conv3d(x, kernel, UNIT, "SAME");
        } else {
            y = dilated(scope, x, kernel, d, new int[] {
                grid.nz() >> layer.level(), grid.ny() >> layer.level(), grid.nx() >> layer.level()
            });
        }
        y = scope.nn.biasAdd(y, variable.apply(layer.name() + "/bias"));
        return layer.relu() ? scope.nn.relu(y) : y;
    }

    /**
     * A 3x3x3 convolution with dilation {@code d} and SAME padding, computed from undilated operations only: the input
     * is zero-padded by {@code d}, the 27 shifted windows whose taps can reach inside the volume are stacked along the
     * channels (taps shifted by {@code d >= size} on an axis only ever see padding and are left out), and one 1x1x1
     * convolution with the matching kernel slices sums them. TensorFlow's plain CPU kernels refuse dilation in the
     * filter gradient (and on some CPUs in the forward pass), and its space-to-batch route is slow for the large
     * dilations of the bottleneck, where most taps fall outside the small volume.
     */
    static Operand<TFloat32> dilated(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel, int d, int[] sizes) {
        int nz = sizes[0], ny = sizes[1], nx = sizes[2];
        long cin = kernel.shape().get(3), cout = kernel.shape().get(4);
        Operand<TFloat32> padded =
                tf.pad(x, tf.constant(new int[][] {{0, 0}, {d, d}, {d, d}, {d, d}, {0, 0}}), tf.constant(0f));
        List<Operand<TFloat32>> windows = new java.util.ArrayList<>();
        List<Operand<TFloat32>> taps = new java.util.ArrayList<>();
        for (int kz = 0; kz < 3; kz++) {
            if (kz != 1 && d >= nz) continue;
            for (int ky = 0; ky < 3; ky++) {
                if (ky != 1 && d >= ny) continue;
                for (int kx = 0; kx < 3; kx++) {
                    if (kx != 1 && d >= nx) continue;
                    windows.add(tf.slice(
                            padded,
                            tf.constant(new int[] {0, kz * d, ky * d, kx * d, 0}),
                            tf.constant(new int[] {-1, nz, ny, nx, -1})));
                    taps.add(tf.reshape(
                            tf.slice(kernel, tf.constant(new int[] {kz, ky, kx, 0, 0}), tf.constant(new int[] {
                                1, 1, 1, (int) cin, (int) cout
                            })),
                            tf.constant(new int[] {(int) cin, (int) cout})));
                }
            }
        }
        Operand<TFloat32> stacked = windows.size() == 1 ? windows.get(0) : tf.concat(windows, tf.constant(4));
        Operand<TFloat32> w = taps.size() == 1 ? taps.get(0) : tf.concat(taps, tf.constant(0));
        w = tf.reshape(w, tf.constant(new int[] {1, 1, 1, (int) (cin * taps.size()), (int) cout}));
        return tf.nn.conv3d(stacked, w, UNIT, "VALID");
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
