package org.calvaria.defects;

import java.util.Locale;
import org.calvaria.CalvariaException;

/**
 * Where on the upper cranium a defect is centred. Directions are drawn from the skull centre (below the vertex, on the
 * mid-sagittal plane); the defect is centred where that ray meets the outer bone surface.
 */
public enum DefectPlacement {
    /** Centre on the mid-sagittal plane (small lateral offset), from 50 degrees anterior to 50 degrees posterior of the
     *  vertex; the defect is required to reach both sides of the plane. */
    MIDLINE("midline"),
    /** Centre on one side: 30-60 degrees from the vertex, within 50 degrees of the left-right axis. */
    OFF_MIDLINE("off-midline"),
    /** Anywhere on the upper skull: uniform over the cap up to 60 degrees from the vertex. */
    RANDOM("random"),
    /** Anywhere on the vault: uniform over directions up to 100 degrees from the vertex (cut from the whole skull). */
    VAULT("vault"),
    /** On one side, where a hemicraniectomy goes: 55-90 degrees from the vertex, within 30 degrees of left or right. */
    SIDE("side"),
    /** Frontal, down towards the supraorbital rim: 45-85 degrees from the vertex, within 30 degrees of anterior. */
    FRONT("front"),
    /** Occipital: 45-100 degrees from the vertex, within 30 degrees of posterior. */
    BACK("back"),
    /** Both sides, as after a bilateral decompressive craniectomy: two separate side cuts (left and right, each as
     *  {@link #SIDE}, half the size each) with bone left between them. */
    BILATERAL("bilateral");

    private final String cliName;

    DefectPlacement(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** Placements that reach below the paper's upper-cranium grid, so defects are cut from the whole skull. */
    public boolean wholeVault() {
        return this == VAULT || this == SIDE || this == FRONT || this == BACK || this == BILATERAL;
    }

    public static DefectPlacement fromName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DefectPlacement p : values()) if (p.cliName.equals(n)) return p;
        throw new CalvariaException("unknown placement '" + name
                + "'; use midline, off-midline, random, vault, side, front, back or bilateral");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
