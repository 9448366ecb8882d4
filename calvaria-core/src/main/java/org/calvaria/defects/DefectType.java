package org.calvaria.defects;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.calvaria.CalvariaException;

/**
 * The shapes of artificial defects. Each has a stable lower-case name used on the command line and in manifests.
 *
 * <p>From Wu et al. 2022 (Fig. 5), crossing the mid-sagittal plane by default: the ellipsoids have curved walls, the
 * cylinders have walls parallel to the axial (z) direction.
 * <ul>
 *   <li>{@code symmetrical-ellipsoid}: spheroid with a circular outline on the skull surface (two equal semi-axes in
 *       the tangent plane, a shorter one along the surface normal);</li>
 *   <li>{@code ellipsoid}: three different semi-axes, randomly turned about the surface normal;</li>
 *   <li>{@code mixed-ellipsoid}: union of two overlapping ellipsoids;</li>
 *   <li>{@code cylinder}: circular cross-section, axis along z;</li>
 *   <li>{@code elliptical-cylinder}: elliptical cross-section, randomly turned about z;</li>
 *   <li>{@code mixed-elliptical-cylinder}: union of two overlapping elliptical cylinders.</li>
 * </ul>
 * From Li et al. 2021 (SkullFix defect injection), placed anywhere on the upper skull by default:
 * {@code cube}, {@code sphere}, and {@code craniotomy} (a flap outline with small round drill holes at its corners, the
 * "clinical implant offset"). Our own addition: {@code irregular}, a union of spheres with a smooth random
 * deformation of its boundary, closer to real surgical defects.
 */
public enum DefectType {
    SYMMETRICAL_ELLIPSOID("symmetrical-ellipsoid", DefectPlacement.MIDLINE),
    ELLIPSOID("ellipsoid", DefectPlacement.MIDLINE),
    MIXED_ELLIPSOID("mixed-ellipsoid", DefectPlacement.MIDLINE),
    CYLINDER("cylinder", DefectPlacement.MIDLINE),
    ELLIPTICAL_CYLINDER("elliptical-cylinder", DefectPlacement.MIDLINE),
    MIXED_ELLIPTICAL_CYLINDER("mixed-elliptical-cylinder", DefectPlacement.MIDLINE),
    CUBE("cube", DefectPlacement.RANDOM),
    SPHERE("sphere", DefectPlacement.RANDOM),
    CRANIOTOMY("craniotomy", DefectPlacement.RANDOM),
    IRREGULAR("irregular", DefectPlacement.RANDOM);

    private final String cliName;
    private final DefectPlacement defaultPlacement;

    DefectType(String cliName, DefectPlacement defaultPlacement) {
        this.cliName = cliName;
        this.defaultPlacement = defaultPlacement;
    }

    /** Stable lower-case name (command line, file names, manifests). */
    public String cliName() {
        return cliName;
    }

    /** Where this type is put when the caller does not say. */
    public DefectPlacement defaultPlacement() {
        return defaultPlacement;
    }

    /** The six mask types of Wu et al. 2022, drawn with equal probability in their training. */
    public static List<DefectType> wu2022() {
        return List.of(
                SYMMETRICAL_ELLIPSOID,
                ELLIPSOID,
                MIXED_ELLIPSOID,
                CYLINDER,
                ELLIPTICAL_CYLINDER,
                MIXED_ELLIPTICAL_CYLINDER);
    }

    public static List<DefectType> all() {
        return List.of(values());
    }

    public static DefectType fromName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DefectType t : values()) if (t.cliName.equals(n)) return t;
        throw new CalvariaException("unknown defect type '" + name + "'; use one of " + names());
    }

    /**
     * Parses a comma-separated list of type names; "all" gives every type and "wu2022" the paper's six.
     */
    public static List<DefectType> parseList(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("all")) return all();
        if (s.equals("wu2022")) return wu2022();
        List<DefectType> out = Arrays.stream(s.split(","))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .map(DefectType::fromName)
                .distinct()
                .collect(Collectors.toList());
        if (out.isEmpty()) throw new CalvariaException("no defect type given; use one of " + names() + ", or all");
        return out;
    }

    public static String names() {
        return Arrays.stream(values()).map(DefectType::cliName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
