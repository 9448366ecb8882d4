package org.calvaria.complete;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.calvaria.CalvariaException;

/**
 * Named float tensors, independent of any engine: the trainable weights of a network (or an optimizer's slots).
 * Values are row-major in the given shape (last index fastest), the layout TensorFlow uses. Insertion order is kept.
 */
public final class Weights {
    /** One named tensor. */
    public record Entry(String name, int[] shape, float[] values) {
        public Entry {
            long n = 1;
            for (int s : shape) {
                if (s < 0) throw new IllegalArgumentException("negative dimension in " + name);
                n *= s;
            }
            if (n != values.length) {
                throw new IllegalArgumentException(
                        name + " has " + values.length + " values for shape " + Arrays.toString(shape));
            }
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public Weights() {}

    /** Glorot-uniform kernels and zero biases, reproducible from the seed. */
    public static Weights glorotUniform(Architecture arch, long seed) {
        Random random = new Random(seed);
        Weights w = new Weights();
        for (Map.Entry<String, int[]> e : arch.variableShapes().entrySet()) {
            int[] shape = e.getValue();
            float[] values = new float[size(shape)];
            if (shape.length == 5) {
                int receptive = shape[0] * shape[1] * shape[2];
                double limit = Math.sqrt(6.0 / (receptive * shape[3] + receptive * shape[4]));
                for (int i = 0; i < values.length; i++) values[i] = (float) ((2 * random.nextDouble() - 1) * limit);
            }
            w.put(e.getKey(), shape, values);
        }
        return w;
    }

    public static int size(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) n;
    }

    public void put(String name, int[] shape, float[] values) {
        entries.put(name, new Entry(name, shape, values));
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no tensor named " + name);
        return e;
    }

    /** The values (not a copy: the holder is a plain container). */
    public float[] values(String name) {
        return entry(name).values();
    }

    public int[] shape(String name) {
        return entry(name).shape();
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    public int size() {
        return entries.size();
    }

    public long parameterCount() {
        return entries.values().stream().mapToLong(e -> e.values().length).sum();
    }

    /** A deep copy. */
    public Weights copy() {
        Weights c = new Weights();
        for (Entry e : entries.values()) c.put(e.name(), e.shape(), e.values().clone());
        return c;
    }

    /**
     * Fails with a clear message unless these tensors are exactly the given names and shapes (in any order).
     * {@code what} names the source in the message, e.g. the model file.
     */
    public void requireShapes(Map<String, int[]> expected, String what, String architecture) {
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Entry have = entries.get(e.getKey());
            if (have == null) {
                throw new CalvariaException(what + " lacks tensor " + e.getKey() + " of architecture " + architecture
                        + "; the file is for another network or damaged");
            }
            if (!Arrays.equals(have.shape, e.getValue())) {
                throw new CalvariaException(
                        what + ": tensor " + e.getKey() + " has shape " + Arrays.toString(have.shape)
                                + " but architecture " + architecture + " needs " + Arrays.toString(e.getValue())
                                + "; the file is for another network or damaged");
            }
        }
        for (String name : entries.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CalvariaException(what + " has tensor " + name + " that architecture " + architecture
                        + " does not use; the file is for another network or damaged");
            }
        }
    }

    /** Exact equality of names, shapes and values. */
    public boolean sameAs(Weights o) {
        if (!entries.keySet().equals(o.entries.keySet())) return false;
        for (Entry e : entries.values()) {
            Entry f = o.entries.get(e.name());
            if (!Arrays.equals(e.shape, f.shape) || !Arrays.equals(e.values, f.values)) return false;
        }
        return true;
    }
}
