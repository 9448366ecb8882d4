package org.calvaria.web;

/**
 * How the page offers the design threshold: its label, default, range and step, and a one-line explanation.
 *
 * @param label        short label beside the control
 * @param defaultValue the value the page starts with
 * @param min          smallest value accepted (inclusive)
 * @param max          largest value accepted (inclusive)
 * @param step         the control's step
 * @param help         one sentence saying what changing it does
 */
public record ThresholdSetting(String label, double defaultValue, double min, double max, double step, String help) {
    /** A probability cut-off for the completed skull, the usual meaning for an autoencoder's output. */
    public static final ThresholdSetting DEFAULT = new ThresholdSetting(
            "Threshold",
            0.5,
            0.05,
            0.95,
            0.05,
            "Probability above which a voxel of the completed skull counts as bone; lower gives a thicker implant.");

    public ThresholdSetting {
        if (!(min <= defaultValue && defaultValue <= max) || !(step > 0)) {
            throw new IllegalArgumentException("threshold setting needs min <= default <= max and step > 0");
        }
    }

    public boolean accepts(double value) {
        return Double.isFinite(value) && value >= min && value <= max;
    }
}
