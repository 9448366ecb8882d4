package org.calvaria.complete;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class NetworkGraphTest {
    @Test
    void layerOutputShapesOnThePaperGrid() {
        Architecture arch = Architecture.wu2022();
        GridSpec grid = GridSpec.paper(100);
        Weights w = Weights.glorotUniform(arch, 1);
        Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 40, 112, 112, 1)));
            NetworkGraph.logits(tf, arch, grid, in, name -> constant(tf, w, name), outputs::put);
            Map<String, long[]> expected = new LinkedHashMap<>();
            expected.put("c0", new long[] {1, 40, 112, 112, 8});
            expected.put("e1", new long[] {1, 20, 56, 56, 8});
            expected.put("e2", new long[] {1, 10, 28, 28, 4});
            expected.put("e3", new long[] {1, 5, 14, 14, 4});
            for (int m = 1; m <= 4; m++) expected.put("m" + m, new long[] {1, 5, 14, 14, 4});
            expected.put("d1", new long[] {1, 10, 28, 28, 4});
            expected.put("d2", new long[] {1, 20, 56, 56, 8});
            expected.put("d3", new long[] {1, 40, 112, 112, 8});
            expected.put("out", new long[] {1, 40, 112, 112, 1});
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(outputs.keySet()));
            float[] x = new float[grid.voxelCount()];
            try (Session s = new Session(g);
                    TFloat32 t = TensorFlowSupport.tensor(x, 1, 40, 112, 112, 1)) {
                Session.Runner r = s.runner().feed(in, t);
                outputs.values().forEach(r::fetch);
                try (Result res = r.run()) {
                    int i = 0;
                    for (Map.Entry<String, long[]> e : expected.entrySet()) {
                        assertArrayEquals(e.getValue(), res.get(i++).shape().asArray(), e.getKey());
                    }
                }
            }
        }
    }

    @Test
    void forwardPassMatchesAnIndependentReference() {
        // 32x32x16: the bottleneck is 4x4x2, so dilation 2 reaches inside it and 4..16 only reach padding
        GridSpec grid = new GridSpec(32, 32, 16, 50);
        for (Architecture arch : List.of(Architecture.wu2022(), Architecture.named("3,5,2,6/2,1,3"))) {
            Weights w = Weights.glorotUniform(arch, 11);
            Random r = new Random(5);
            for (String name : w.names()) {
                if (name.endsWith("/bias")) {
                    float[] b = w.values(name);
                    for (int i = 0; i < b.length; i++) b[i] = (float) (0.2 * r.nextGaussian());
                }
            }
            int n = 2;
            float[] input = new float[n * grid.voxelCount()];
            for (int i = 0; i < input.length; i++) input[i] = r.nextInt(3) == 0 ? 1 : 0;
            float[] logits = runLogits(arch, grid, w, input, n);
            double maxDiff = 0, maxAbs = 0;
            for (int s = 0; s < n; s++) {
                float[] one = Arrays.copyOfRange(input, s * grid.voxelCount(), (s + 1) * grid.voxelCount());
                double[] ref = ReferenceNetwork.logits(arch, grid, w, one);
                for (int i = 0; i < ref.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ref[i] - logits[s * grid.voxelCount() + i]));
                    maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
                }
            }
            assertTrue(maxAbs > 0.05, "reference output is not trivially zero: " + maxAbs);
            assertTrue(maxDiff < 1e-4 * Math.max(1, maxAbs), arch.name() + " max difference " + maxDiff);
        }
    }

    static float[] runLogits(Architecture arch, GridSpec grid, Weights w, float[] input, int n) {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> in =
                    tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, grid.nz(), grid.ny(), grid.nx(), 1)));
            Operand<TFloat32> out = NetworkGraph.logits(tf, arch, grid, in, name -> constant(tf, w, name));
            try (Session s = new Session(g);
                    TFloat32 t = TensorFlowSupport.tensor(input, n, grid.nz(), grid.ny(), grid.nx(), 1);
                    Result res = s.runner().feed(in, t).fetch(out).run()) {
                return TensorFlowSupport.values((TFloat32) res.get(0));
            }
        }
    }

    static Operand<TFloat32> constant(Ops tf, Weights w, String name) {
        long[] shape = Arrays.stream(w.shape(name)).mapToLong(x -> x).toArray();
        return tf.constant(Shape.of(shape), org.tensorflow.ndarray.buffer.DataBuffers.of(w.values(name), true, false));
    }
}
