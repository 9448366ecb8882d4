package org.calvaria.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;

/**
 * The SkullFix folder layout, read in one place: {@code complete_skull/}, {@code defective_skull/} and
 * {@code implant/} holding one volume per case, named by the case id ({@code 000.nrrd}). The training data
 * ({@code org.calvaria.dataset.SkullFiles}) and the evaluation set ({@code org.calvaria.evaluate.Dataset}) both scan
 * folders through this class. Nothing is loaded; hidden files are skipped.
 */
public final class SkullFixFolder {
    /** Subfolder of complete skulls. */
    public static final String COMPLETE = "complete_skull";
    /** Subfolder of defective skulls. */
    public static final String DEFECTIVE = "defective_skull";
    /** Subfolder of implants (the bone removed from the complete skull). */
    public static final String IMPLANT = "implant";

    private static final String[] EXTENSIONS = {".nii.gz", ".nrrd", ".nhdr", ".nii"};

    private SkullFixFolder() {}

    /**
     * The volumes in a folder, sorted by path: files named .nrrd, .nhdr, .nii or .nii.gz and, when
     * {@code dicomFolders}, folders holding .dcm files (a DICOM series).
     */
    public static List<Path> volumes(Path dir, boolean dicomFolders) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> isVolumeFile(p) || (dicomFolders && Files.isDirectory(p) && containsDicom(p)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CalvariaException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Volume files in a folder by id ({@link #idOf}); two files with one id are an error. */
    public static Map<String, Path> volumesById(Path folder) {
        Map<String, Path> out = new HashMap<>();
        for (Path p : volumes(folder, false)) {
            String id = idOf(p);
            Path before = out.put(id, p);
            if (before != null) {
                throw new CalvariaException("folder " + folder + " has two volumes for case " + id + ": "
                        + before.getFileName() + " and " + p.getFileName() + "; keep one");
            }
        }
        return out;
    }

    /** The case id of a volume: its name without .nrrd, .nhdr, .nii or .nii.gz; the whole name otherwise. */
    public static String idOf(Path p) {
        String n = p.getFileName().toString();
        String l = n.toLowerCase(Locale.ROOT);
        for (String ext : EXTENSIONS) {
            if (l.endsWith(ext)) return n.substring(0, n.length() - ext.length());
        }
        return n;
    }

    /** True for a regular file named like a volume (.nrrd, .nhdr, .nii, .nii.gz) with a non-empty id. */
    public static boolean isVolumeFile(Path p) {
        String n = p.getFileName().toString();
        String l = n.toLowerCase(Locale.ROOT);
        if (!Files.isRegularFile(p)) return false;
        for (String ext : EXTENSIONS) {
            if (l.endsWith(ext)) return n.length() > ext.length();
        }
        return false;
    }

    private static boolean containsDicom(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(
                    p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm"));
        } catch (IOException e) {
            return false;
        }
    }
}
