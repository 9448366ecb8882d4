package org.calvaria.complete;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The registered Conv3D gradient, and the gradient through the network's dilated convolution (space-to-batch, undilated
 * convolution, batch-to-space), agree with central finite differences of a quadratic loss.
 */
class Conv3dGradientTest {
    private static final long[] X_SHAPE = {2, 4, 5, 6, 2};
    private static final long[] W_SHAPE = {3, 3, 3, 2, 3};

    @Test
    void gradientMatchesFiniteDifferences() {
        TensorFlowSupport.registerGradients();
        for (long dilation : new long[] {1, 2, 3}) {
            check(dilation);
        }
    }

    private static void check(long dilation) {
        Random r = new Random(42 + dilation);
        float[] x = random(r, (int) Shape.of(X_SHAPE).size());
        float[] w = random(r, (int) Shape.of(W_SHAPE).size());
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(X_SHAPE)));
            Placeholder<TFloat32> wp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(W_SHAPE)));
            Operand<TFloat32> y = dilation == 1
                    ? tf.nn.conv3d(xp, wp, List.of(1L, 1L, 1L, 1L, 1L), "SAME")
                    : NetworkGraph.dilated(
                            tf, xp, wp, (int) dilation, new int[] {(int) X_SHAPE[1], (int) X_SHAPE[2], (int) X_SHAPE[3]
                            });
            // quadratic loss: central differences are exact up to rounding
            Operand<TFloat32> loss = tf.reduceSum(tf.math.square(y), tf.constant(new int[] {0, 1, 2, 3, 4}));
            Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {xp.asOutput(), wp.asOutput()});
            try (Session s = new Session(g)) {
                // the loss for finite differences is summed in double from the fetched y (float sums round too much)
                float[] gx, gw;
                try (TFloat32 xt = TensorFlowSupport.tensor(x, X_SHAPE);
                        TFloat32 wt = TensorFlowSupport.tensor(w, W_SHAPE);
                        Result res = s.runner()
                                .feed(xp, xt)
                                .feed(wp, wt)
                                .fetch(grads[0])
                                .fetch(grads[1])
                                .run()) {
                    gx = TensorFlowSupport.values((TFloat32) res.get(0));
                    gw = TensorFlowSupport.values((TFloat32) res.get(1));
                }
                double eps = 0.25;
                for (int k = 0; k < 30; k++) {
                    int i = r.nextInt(x.length);
                    double numeric = centralDifference(s, xp, wp, y, x, w, true, i, eps);
                    assertEquals(
                            numeric,
                            gx[i],
                            1e-3 * Math.max(1, Math.abs(numeric)),
                            "d loss / d input[" + i + "], dilation " + dilation);
                    int j = r.nextInt(w.length);
                    numeric = centralDifference(s, xp, wp, y, x, w, false, j, eps);
                    assertEquals(
                            numeric,
                            gw[j],
                            1e-3 * Math.max(1, Math.abs(numeric)),
                            "d loss / d filter[" + j + "], dilation " + dilation);
                }
                assertTrue(maxAbs(gw) > 1e-2 && maxAbs(gx) > 1e-2, "gradients are not trivially zero");
            }
        }
    }

    private static double centralDifference(
            Session s,
            Placeholder<TFloat32> xp,
            Placeholder<TFloat32> wp,
            Operand<TFloat32> loss,
            float[] x,
            float[] w,
            boolean ofInput,
            int i,
            double eps) {
        float[] a = (ofInput ? x : w).clone();
        float original = a[i];
        a[i] = (float) (original + eps);
        double plus = loss(s, xp, wp, loss, ofInput ? a : x, ofInput ? w : a);
        a[i] = (float) (original - eps);
        double minus = loss(s, xp, wp, loss, ofInput ? a : x, ofInput ? w : a);
        return (plus - minus) / (2 * eps);
    }

    /** Sum of squares of the fetched convolution output, in double. */
    private static double loss(
            Session s,
            Placeholder<TFloat32> xp,
            Placeholder<TFloat32> wp,
            Operand<TFloat32> loss,
            float[] x,
            float[] w) {
        try (TFloat32 xt = TensorFlowSupport.tensor(x, X_SHAPE);
                TFloat32 wt = TensorFlowSupport.tensor(w, W_SHAPE);
                Result res = s.runner().feed(xp, xt).feed(wp, wt).fetch(loss).run()) {
            double sum = 0;
            for (float v : TensorFlowSupport.values((TFloat32) res.get(0))) sum += (double) v * v;
            return sum;
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian() * 0.5f;
        return a;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
