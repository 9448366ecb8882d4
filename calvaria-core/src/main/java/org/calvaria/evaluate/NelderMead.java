package org.calvaria.evaluate;

import java.util.function.ToDoubleFunction;

/** Minimal Nelder-Mead simplex minimiser (deterministic; enough for three smooth parameters). */
final class NelderMead {
    private NelderMead() {}

    static double[] minimize(ToDoubleFunction<double[]> f, double[] start, double[] step, int maxEvaluations) {
        int d = start.length;
        double[][] simplex = new double[d + 1][];
        double[] values = new double[d + 1];
        simplex[0] = start.clone();
        for (int i = 0; i < d; i++) {
            simplex[i + 1] = start.clone();
            simplex[i + 1][i] += step[i];
        }
        for (int i = 0; i <= d; i++) values[i] = f.applyAsDouble(simplex[i]);
        int evaluations = d + 1;
        while (evaluations < maxEvaluations) {
            // Order: best first.
            for (int i = 1; i <= d; i++) {
                for (int j = i; j > 0 && values[j] < values[j - 1]; j--) {
                    double tv = values[j];
                    values[j] = values[j - 1];
                    values[j - 1] = tv;
                    double[] tp = simplex[j];
                    simplex[j] = simplex[j - 1];
                    simplex[j - 1] = tp;
                }
            }
            if (Math.abs(values[d] - values[0]) <= 1e-9 * (1 + Math.abs(values[0]))) break;
            double[] centroid = new double[d];
            for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) centroid[k] += simplex[i][k] / d;
            double[] reflected = along(centroid, simplex[d], -1);
            double fr = f.applyAsDouble(reflected);
            evaluations++;
            if (fr < values[0]) {
                double[] expanded = along(centroid, simplex[d], -2);
                double fe = f.applyAsDouble(expanded);
                evaluations++;
                if (fe < fr) {
                    simplex[d] = expanded;
                    values[d] = fe;
                } else {
                    simplex[d] = reflected;
                    values[d] = fr;
                }
            } else if (fr < values[d - 1]) {
                simplex[d] = reflected;
                values[d] = fr;
            } else {
                double[] contracted =
                        fr < values[d] ? along(centroid, simplex[d], -0.5) : along(centroid, simplex[d], 0.5);
                double fc = f.applyAsDouble(contracted);
                evaluations++;
                if (fc < Math.min(fr, values[d])) {
                    simplex[d] = contracted;
                    values[d] = fc;
                } else {
                    for (int i = 1; i <= d; i++) {
                        for (int k = 0; k < d; k++)
                            simplex[i][k] = simplex[0][k] + 0.5 * (simplex[i][k] - simplex[0][k]);
                        values[i] = f.applyAsDouble(simplex[i]);
                        evaluations++;
                    }
                }
            }
        }
        int best = 0;
        for (int i = 1; i <= d; i++) if (values[i] < values[best]) best = i;
        return simplex[best];
    }

    /** centroid + t * (point - centroid). */
    private static double[] along(double[] centroid, double[] point, double t) {
        double[] r = new double[centroid.length];
        for (int k = 0; k < r.length; k++) r[k] = centroid[k] + t * (point[k] - centroid[k]);
        return r;
    }
}
