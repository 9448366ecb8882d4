package org.calvaria.defects;

import java.util.LinkedHashMap;
import java.util.Map;
import org.calvaria.volume.MaskVolume;

/**
 * One artificial defect cut from a complete skull, on the skull's own grid (geometry kept):
 * {@code defective OR implant == complete} and {@code defective AND implant} is empty.
 *
 * @param defective          the skull with the defect
 * @param implant            the bone removed (never empty)
 * @param type               mask shape
 * @param placement          where it was centred (the resolved placement, never null)
 * @param targetFraction     requested share of the upper-cranium bone to remove (0..1)
 * @param achievedFraction   share actually removed: {@code removedVoxels / upperCraniumVoxels}
 * @param upperCraniumVoxels bone voxels inside the region the network grid covers
 * @param removedVoxels      voxels in the implant
 * @param attempts           placements drawn until one met the target (1 = first)
 * @param parameters         shape parameters in mm (centre, axes, rotation, ...), JSON-friendly
 */
public record Defect(
        MaskVolume defective,
        MaskVolume implant,
        DefectType type,
        DefectPlacement placement,
        double targetFraction,
        double achievedFraction,
        long upperCraniumVoxels,
        long removedVoxels,
        int attempts,
        Map<String, Object> parameters) {

    /** Everything but the volumes, for manifests and JSON sidecars. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type.cliName());
        m.put("placement", placement.cliName());
        m.put("target_fraction", targetFraction);
        m.put("achieved_fraction", Math.round(achievedFraction * 1e6) / 1e6);
        m.put("upper_cranium_voxels", upperCraniumVoxels);
        m.put("removed_voxels", removedVoxels);
        m.put("attempts", attempts);
        m.put("parameters", parameters);
        return m;
    }
}
