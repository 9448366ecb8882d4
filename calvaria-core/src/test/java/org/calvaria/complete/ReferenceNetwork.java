package org.calvaria.complete;

import java.util.List;

/**
 * A plain-Java, double-precision forward pass of the completion network written from the paper's description,
 * independent of TensorFlow, to check the graph builder. Tensors are [z][y][x][c] with c fastest.
 */
final class ReferenceNetwork {
    record Tensor(int d, int h, int w, int c, double[] v) {
        Tensor(int d, int h, int w, int c) {
            this(d, h, w, c, new double[d * h * w * c]);
        }

        double get(int z, int y, int x, int ch) {
            if (z < 0 || y < 0 || x < 0 || z >= d || y >= h || x >= w) return 0;
            return v[((z * h + y) * w + x) * c + ch];
        }

        void set(int z, int y, int x, int ch, double value) {
            v[((z * h + y) * w + x) * c + ch] = value;
        }
    }

    private ReferenceNetwork() {}

    /** Logits for one sample given as [z][y][x] values. */
    static double[] logits(Architecture arch, GridSpec grid, Weights weights, float[] input) {
        Tensor x0 = new Tensor(grid.nz(), grid.ny(), grid.nx(), 1);
        for (int i = 0; i < input.length; i++) x0.v[i] = input[i];
        List<Architecture.Layer> layers = arch.layers();
        int i = 0;
        Tensor s0 = conv(x0, layers.get(i++), weights);
        Tensor s1 = pool(conv(s0, layers.get(i++), weights));
        Tensor s2 = pool(conv(s1, layers.get(i++), weights));
        Tensor x = pool(conv(s2, layers.get(i++), weights));
        for (int m = 0; m < arch.dilations().length; m++) x = add(x, conv(x, layers.get(i++), weights));
        x = add(conv(up(x), layers.get(i++), weights), s2);
        x = add(conv(up(x), layers.get(i++), weights), s1);
        x = add(conv(up(x), layers.get(i++), weights), s0);
        return conv(x, layers.get(i), weights).v;
    }

    static Tensor conv(Tensor in, Architecture.Layer layer, Weights weights) {
        float[] k = weights.values(layer.name() + "/kernel");
        float[] b = weights.values(layer.name() + "/bias");
        int ci = layer.inChannels(), co = layer.outChannels(), dil = layer.dilation();
        Tensor out = new Tensor(in.d, in.h, in.w, co);
        for (int z = 0; z < in.d; z++) {
            for (int y = 0; y < in.h; y++) {
                for (int x = 0; x < in.w; x++) {
                    for (int o = 0; o < co; o++) {
                        double s = b[o];
                        for (int kz = 0; kz < 3; kz++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    for (int c = 0; c < ci; c++) {
                                        double v =
                                                in.get(z + (kz - 1) * dil, y + (ky - 1) * dil, x + (kx - 1) * dil, c);
                                        s += v * k[(((kz * 3 + ky) * 3 + kx) * ci + c) * co + o];
                                    }
                                }
                            }
                        }
                        out.set(z, y, x, o, layer.relu() ? Math.max(0, s) : s);
                    }
                }
            }
        }
        return out;
    }

    static Tensor pool(Tensor in) {
        Tensor out = new Tensor(in.d / 2, in.h / 2, in.w / 2, in.c);
        for (int z = 0; z < out.d; z++)
            for (int y = 0; y < out.h; y++)
                for (int x = 0; x < out.w; x++) {
                    for (int c = 0; c < in.c; c++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int dz = 0; dz < 2; dz++)
                            for (int dy = 0; dy < 2; dy++)
                                for (int dx = 0; dx < 2; dx++) {
                                    m = Math.max(m, in.get(2 * z + dz, 2 * y + dy, 2 * x + dx, c));
                                }
                        out.set(z, y, x, c, m);
                    }
                }
        return out;
    }

    static Tensor up(Tensor in) {
        Tensor out = new Tensor(in.d * 2, in.h * 2, in.w * 2, in.c);
        for (int z = 0; z < out.d; z++)
            for (int y = 0; y < out.h; y++)
                for (int x = 0; x < out.w; x++) {
                    for (int c = 0; c < in.c; c++) out.set(z, y, x, c, in.get(z / 2, y / 2, x / 2, c));
                }
        return out;
    }

    static Tensor add(Tensor a, Tensor b) {
        Tensor out = new Tensor(a.d, a.h, a.w, a.c);
        for (int i = 0; i < a.v.length; i++) out.v[i] = a.v[i] + b.v[i];
        return out;
    }
}
