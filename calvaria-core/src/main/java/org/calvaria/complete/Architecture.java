package org.calvaria.complete;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;

/**
 * The skull-completion network's shape: Wu et al. (2022), Table 1, with the channel counts as parameters.
 *
 * <p>All convolutions are 3x3x3, stride 1, same padding, ReLU (except the output layer, which gives logits):
 * <pre>
 *   c0   conv 1 -> w0                      skip S0
 *   e1   conv w0 -> w1, max-pool 2         skip S1 (pooled)
 *   e2   conv w1 -> w2, max-pool 2         skip S2 (pooled)
 *   e3   conv w2 -> w3, max-pool 2
 *   m_i  dilated conv w3 -> w3 (dilation d_i), output = input + relu(conv(input))
 *   d1   up x2, conv w3 -> w2, + S2
 *   d2   up x2, conv w2 -> w1, + S1
 *   d3   up x2, conv w1 -> w0, + S0
 *   out  conv w0 -> 1 (logits; sigmoid for probabilities)
 * </pre>
 * The decoder widths follow from the additive skips, so four widths {@code (w0, w1, w2, w3)} and the mid-layer
 * dilations define the network. The paper's network is {@link #wu2022()}: widths (8, 8, 4, 4), dilations
 * (2, 4, 8, 16), 12 layers, 8,269 trainable parameters.
 */
public record Architecture(String name, int[] widths, int[] dilations) {
    /** Kernel edge length of every convolution. */
    public static final int KERNEL = 3;
    /** Three 2x poolings: grid sizes must be divisible by this. */
    public static final int GRID_DIVISOR = 8;

    public Architecture {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new CalvariaException("architecture name '" + name + "' is invalid; use letters, digits, . _ -");
        }
        if (widths == null || widths.length != 4) {
            throw new CalvariaException("architecture " + name + " needs 4 widths (c0, e1, e2, e3), got "
                    + (widths == null ? "none" : Arrays.toString(widths)));
        }
        for (int w : widths) {
            if (w < 1 || w > 512)
                throw new CalvariaException("architecture " + name + " width " + w + " is outside 1..512");
        }
        if (dilations == null || dilations.length > 16) {
            throw new CalvariaException("architecture " + name + " needs 0..16 mid-layer dilations");
        }
        for (int d : dilations) {
            if (d < 1 || d > 1024)
                throw new CalvariaException("architecture " + name + " dilation " + d + " is outside 1..1024");
        }
        widths = widths.clone();
        dilations = dilations.clone();
    }

    /** The paper's network (Wu et al. 2022, Table 1). */
    public static Architecture wu2022() {
        return new Architecture("wu2022", new int[] {8, 8, 4, 4}, new int[] {2, 4, 8, 16});
    }

    /** A wider variant: 16 channels at every stage (70,161 parameters, 4x the paper's forward FLOPs). */
    public static Architecture wide16() {
        return new Architecture("wide16", new int[] {16, 16, 16, 16}, new int[] {2, 4, 8, 16});
    }

    /** Names accepted by {@link #named(String)}. */
    public static List<String> knownNames() {
        return List.of("wu2022", "wide16");
    }

    /**
     * A preset by name ({@code wu2022}, {@code wide16}) or a custom spec {@code w0,w1,w2,w3} or
     * {@code w0,w1,w2,w3/d1,d2,...} (e.g. {@code 12,12,8,8/2,4,8,16}).
     */
    public static Architecture named(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "wu2022":
                return wu2022();
            case "wide16":
                return wide16();
            default:
                break;
        }
        if (s.matches("\\d+(,\\d+){3}(/\\d+(,\\d+)*)?")) {
            String[] parts = s.split("/");
            int[] w = Arrays.stream(parts[0].split(","))
                    .mapToInt(Integer::parseInt)
                    .toArray();
            int[] d = parts.length > 1
                    ? Arrays.stream(parts[1].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray()
                    : wu2022().dilations();
            return new Architecture("custom-" + s.replace(',', '-').replace('/', '_'), w, d);
        }
        throw new CalvariaException("unknown architecture '" + spec + "'; use one of " + knownNames()
                + " or widths like 12,12,8,8 (optionally /2,4,8,16 for the dilations)");
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    @Override
    public int[] dilations() {
        return dilations.clone();
    }

    /** One convolution layer: its variable prefix, channels, dilation and resolution level (0 = full grid). */
    public record Layer(String name, int inChannels, int outChannels, int dilation, int level, boolean relu) {
        public long parameterCount() {
            return (long) KERNEL * KERNEL * KERNEL * inChannels * outChannels + outChannels;
        }

        public int[] kernelShape() {
            return new int[] {KERNEL, KERNEL, KERNEL, inChannels, outChannels};
        }
    }

    /** The convolution layers in execution order. */
    public List<Layer> layers() {
        int w0 = widths[0], w1 = widths[1], w2 = widths[2], w3 = widths[3];
        List<Layer> l = new ArrayList<>();
        l.add(new Layer("c0", 1, w0, 1, 0, true));
        l.add(new Layer("e1", w0, w1, 1, 0, true));
        l.add(new Layer("e2", w1, w2, 1, 1, true));
        l.add(new Layer("e3", w2, w3, 1, 2, true));
        for (int i = 0; i < dilations.length; i++) l.add(new Layer("m" + (i + 1), w3, w3, dilations[i], 3, true));
        l.add(new Layer("d1", w3, w2, 1, 2, true));
        l.add(new Layer("d2", w2, w1, 1, 1, true));
        l.add(new Layer("d3", w1, w0, 1, 0, true));
        l.add(new Layer("out", w0, 1, 1, 0, false));
        return l;
    }

    /** Trainable variables in a fixed order: {@code <layer>/kernel} [3,3,3,in,out] and {@code <layer>/bias} [out]. */
    public Map<String, int[]> variableShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (Layer layer : layers()) {
            m.put(layer.name() + "/kernel", layer.kernelShape());
            m.put(layer.name() + "/bias", new int[] {layer.outChannels()});
        }
        return m;
    }

    public long parameterCount() {
        return layers().stream().mapToLong(Layer::parameterCount).sum();
    }

    /**
     * Floating-point operations of one forward pass on a grid (2 per multiply-add, all 27 taps counted, bias and
     * activations ignored), the usual convention for comparing with a matrix-multiply rate.
     */
    public double forwardFlops(GridSpec grid) {
        double flops = 0;
        for (Layer layer : layers()) {
            double voxels =
                    (double) (grid.nx() >> layer.level()) * (grid.ny() >> layer.level()) * (grid.nz() >> layer.level());
            flops += 2.0 * KERNEL * KERNEL * KERNEL * layer.inChannels() * layer.outChannels() * voxels;
        }
        return flops;
    }

    /** Human-readable one-liner, e.g. {@code wu2022 (widths 8,8,4,4; dilations 2,4,8,16; 8269 parameters)}. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s (widths %s; dilations %s; %d parameters)",
                name,
                join(widths),
                join(dilations),
                parameterCount());
    }

    private static String join(int[] a) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < a.length; i++) b.append(i == 0 ? "" : ",").append(a[i]);
        return b.toString();
    }

    /** Same layers (widths and dilations); the name is only a label. */
    public boolean sameShapeAs(Architecture o) {
        return Arrays.equals(widths, o.widths) && Arrays.equals(dilations, o.dilations);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Architecture a && a.name.equals(name) && sameShapeAs(a);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(widths) * 17 + Arrays.hashCode(dilations);
    }

    @Override
    public String toString() {
        return describe();
    }
}
