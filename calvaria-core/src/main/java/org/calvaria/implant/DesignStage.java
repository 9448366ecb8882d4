package org.calvaria.implant;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The stages of a design, in the order they run: the pipeline reads and (for a CT) segments, the designer normalises,
 * completes, maps back and cuts out the implant, and the pipeline meshes and writes. Each has the label that the
 * console, the web page and the report's {@code secondsPerStage} show; {@link #toString()} and JSON give the label.
 */
public enum DesignStage {
    READ("read"),
    SEGMENT("segment"),
    NORMALISE("normalise"),
    COMPLETE("complete"),
    MAP_BACK("map back"),
    IMPLANT("implant"),
    MESH("mesh"),
    WRITE("write");

    private final String label;

    DesignStage(String label) {
        this.label = label;
    }

    /** The name people see, e.g. {@code "map back"}. */
    @JsonValue
    public String label() {
        return label;
    }

    /** The stage with this label; fails with the labels known when there is none. */
    public static DesignStage ofLabel(String label) {
        for (DesignStage s : values()) if (s.label.equals(label)) return s;
        throw new IllegalArgumentException("no design stage '" + label + "'; known: "
                + java.util.Arrays.stream(values()).map(DesignStage::label).toList());
    }

    @Override
    public String toString() {
        return label;
    }
}
