package org.calvaria.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.io.SkullFixFolder;

/**
 * The files of one skull: the complete skull and, optionally, a real defective version of it (SkullFix pairs).
 *
 * @param id        identifier: the file name without its extension (SkullFix "000")
 * @param complete  complete skull volume (NRRD, NIfTI or a DICOM folder)
 * @param defective defective skull of the same scan, or null
 */
public record SkullFiles(String id, Path complete, Path defective) {
    /**
     * The skulls in a folder: a SkullFix-style folder ({@code complete_skull/} with optional {@code defective_skull/}
     * holding files of the same names) or a flat folder of volumes. Sorted by id.
     */
    public static List<SkullFiles> scan(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new CalvariaException(folder + " is not a folder; give a folder of complete skulls (or a SkullFix"
                    + " folder with complete_skull/)");
        }
        Path completeDir = folder.resolve(SkullFixFolder.COMPLETE);
        boolean skullFix = Files.isDirectory(completeDir);
        Path defectiveDir = folder.resolve(SkullFixFolder.DEFECTIVE);
        List<SkullFiles> out = new ArrayList<>();
        for (Path p : SkullFixFolder.volumes(skullFix ? completeDir : folder, true)) {
            String id = SkullFixFolder.idOf(p);
            Path d = null;
            if (skullFix && Files.isDirectory(defectiveDir)) {
                Path candidate = defectiveDir.resolve(p.getFileName());
                if (Files.exists(candidate)) d = candidate;
            }
            out.add(new SkullFiles(id, p, d));
        }
        if (out.isEmpty()) {
            throw new CalvariaException("no skull volumes (.nrrd, .nhdr, .nii, .nii.gz or DICOM folders) found in "
                    + (skullFix ? completeDir : folder));
        }
        long distinct = out.stream().map(SkullFiles::id).distinct().count();
        if (distinct != out.size()) {
            throw new CalvariaException("two skulls in " + folder + " share a name (e.g. a.nrrd and a.nii.gz);"
                    + " give each skull a unique file name");
        }
        return out;
    }

    /** Complete skulls only, from explicit files. */
    public static List<SkullFiles> of(List<Path> completeFiles) {
        List<SkullFiles> out = new ArrayList<>();
        for (Path p : completeFiles) out.add(new SkullFiles(SkullFixFolder.idOf(p), p, null));
        return out;
    }
}
