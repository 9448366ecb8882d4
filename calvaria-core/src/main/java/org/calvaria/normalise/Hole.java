package org.calvaria.normalise;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/**
 * A hole in the cranial vault found by {@link HoleFinder}: the directions, seen from the cranial centre, in which no
 * bone lies, with the figures a clinician needs to recognise it.
 *
 * @param centreMm     physical LPS position (mm) of the hole's centre on the estimated outer surface
 * @param normal       unit outward normal at the centre (the mean direction of the hole seen from the cranial centre)
 * @param areaMm2      area of the opening on the estimated outer surface, mm²
 * @param rimLengthMm  length of the rim (the hole's edge on the outer surface), mm
 * @param rimRadiusMm  mean distance of the rim from the cranial centre, mm (the estimated surface height over the hole)
 * @param openBelow    true when the hole runs into the open bottom of the scan (skull base cut off or missing), so
 *                     its lower rim is not defined; only the part on the vault is measured
 * @param rim          rim points on the outer surface, physical mm
 * @param cells        the direction-map cells ({@code row * COLUMNS + column}) that make up the hole
 */
public record Hole(
        double[] centreMm,
        double[] normal,
        double areaMm2,
        double rimLengthMm,
        double rimRadiusMm,
        boolean openBelow,
        List<double[]> rim,
        int[] cells) {
    public Hole {
        centreMm = centreMm.clone();
        normal = normal.clone();
        rim = List.copyOf(rim);
        cells = cells.clone();
    }

    @Override
    public double[] centreMm() {
        return centreMm.clone();
    }

    @Override
    public double[] normal() {
        return normal.clone();
    }

    @Override
    public int[] cells() {
        return cells.clone();
    }

    /** Where the hole lies, in words: the nearest anatomical direction(s) of its normal in LPS. */
    public String region() {
        double x = normal[0], y = normal[1], z = normal[2];
        if (z > 0.85) return "vertex";
        StringBuilder sb = new StringBuilder();
        if (Math.abs(y) > 0.45) sb.append(y < 0 ? "frontal" : "occipital");
        if (Math.abs(x) > 0.45) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(x > 0 ? "left" : "right").append(z > 0.5 ? " parietal" : " temporo-parietal");
        }
        if (sb.length() == 0) sb.append(z > 0 ? "vertex" : "skull base");
        return sb.toString();
    }

    /**
     * Where the hole is, for reports (JSON names in snake case): region, centre and outward normal (LPS, rounded to
     * 0.001), area (mm², rounded), rim length (mm, rounded) and whether it is open below.
     */
    public record Report(
            String region,
            @JsonProperty("centre_mm") double[] centreMm,
            @JsonProperty("outward_normal") double[] outwardNormal,
            @JsonProperty("area_mm2") long areaMm2,
            @JsonProperty("rim_length_mm") long rimLengthMm,
            @JsonProperty("open_below") boolean openBelow) {}

    /** Report fields. */
    public Report report() {
        return new Report(
                region(), round(centreMm), round(normal), Math.round(areaMm2), Math.round(rimLengthMm), openBelow);
    }

    /** One line for the terminal. */
    public String summary() {
        return String.format(
                Locale.ROOT,
                "%s hole, centre (%.1f, %.1f, %.1f) mm, normal (%.2f, %.2f, %.2f), area %.1f cm²," + " rim %.0f mm%s",
                region(),
                centreMm[0],
                centreMm[1],
                centreMm[2],
                normal[0],
                normal[1],
                normal[2],
                areaMm2 / 100,
                rimLengthMm,
                openBelow ? ", open below" : "");
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Math.round(v[i] * 1000) / 1000.0;
        return r;
    }
}
