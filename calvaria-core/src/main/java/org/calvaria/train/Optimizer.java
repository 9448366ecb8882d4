package org.calvaria.train;

import java.util.Locale;
import org.calvaria.CalvariaException;

/** Optimizers the trainer offers. */
public enum Optimizer {
    /** The paper's choice. rho 0.95 and epsilon 1e-7 are Keras' defaults; lr 1.0 is Zeiler's original scale. */
    ADADELTA(1.0),
    /** Adam, beta1 0.9, beta2 0.999, epsilon 1e-7. */
    ADAM(1e-3);

    public static final double ADADELTA_RHO = 0.95;
    public static final double ADADELTA_EPSILON = 1e-7;
    public static final double ADAM_BETA1 = 0.9;
    public static final double ADAM_BETA2 = 0.999;
    public static final double ADAM_EPSILON = 1e-7;

    private final double defaultLearningRate;

    Optimizer(double defaultLearningRate) {
        this.defaultLearningRate = defaultLearningRate;
    }

    public double defaultLearningRate() {
        return defaultLearningRate;
    }

    /** Names of the slot tensors kept per variable. */
    public String[] slots() {
        return this == ADADELTA ? new String[] {"accum", "accum_update"} : new String[] {"m", "v"};
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optimizer parse(String s) {
        for (Optimizer o : values()) if (o.id().equalsIgnoreCase(s.trim())) return o;
        throw new CalvariaException("unknown optimizer '" + s + "'; use adadelta or adam");
    }
}
