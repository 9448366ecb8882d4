package org.calvaria.dataset;

import java.util.LinkedHashMap;
import java.util.Map;
import org.calvaria.defects.Augmentation;
import org.calvaria.defects.Defect;
import org.calvaria.volume.MaskVolume;

/**
 * One training pair on the network grid: {@code defective} is a subset of {@code complete}.
 *
 * @param skullId      the skull it came from
 * @param sampleSeed   seed that reproduces it from the same skull ({@link SampleFactory#make})
 * @param augmentation the rigid variant applied to the skull first
 * @param defect       the artificial defect, or null for a real (SkullFix) defect
 */
public record Sample(
        String skullId,
        long sampleSeed,
        Augmentation augmentation,
        MaskVolume defective,
        MaskVolume complete,
        Defect defect) {
    public boolean isRealDefect() {
        return defect == null;
    }

    /** One line: skull, augmentation, defect type, placement and size. */
    public String description() {
        StringBuilder sb = new StringBuilder(skullId)
                .append(' ')
                .append(augmentation.label())
                .append(' ');
        if (defect == null) {
            sb.append("real-defect");
        } else {
            sb.append(defect.type().cliName())
                    .append(' ')
                    .append(defect.placement().cliName())
                    .append(String.format(
                            java.util.Locale.ROOT,
                            " target=%.3f achieved=%.3f",
                            defect.targetFraction(),
                            defect.achievedFraction()));
        }
        return sb.append(" seed=").append(sampleSeed).toString();
    }

    /** JSON-friendly record of how the sample was made. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("skull", skullId);
        m.put("sample_seed", sampleSeed);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("rotation_deg", augmentation.rotationDeg());
        a.put("tilt_deg", augmentation.tiltDeg());
        a.put("shift_voxels", augmentation.shiftVoxels());
        a.put("index", augmentation.index());
        m.put("augmentation", a);
        if (defect == null) m.put("defect", Map.of("type", "real"));
        else m.put("defect", defect.describe());
        return m;
    }
}
