package org.calvaria.evaluate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.io.SkullFixFolder;
import org.calvaria.io.VolumeIO;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;

/**
 * Predicted implants read from a folder, one file per case named like the dataset's files (ID.nrrd, ID.nii.gz, ...).
 * Each must be a binary mask; it may lie on any grid (the evaluator resamples it nearest-neighbour onto the truth's).
 */
public final class FilePredictions implements ImplantPredictor {
    private final Path folder;
    private final Map<String, Path> files;

    private FilePredictions(Path folder, Map<String, Path> files) {
        this.folder = folder;
        this.files = files;
    }

    public static FilePredictions open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new CalvariaException("prediction folder " + folder + " does not exist or is not a folder");
        }
        return new FilePredictions(folder, SkullFixFolder.volumesById(folder));
    }

    public Path folder() {
        return folder;
    }

    /** Ids of the dataset's cases that have no prediction file. */
    public List<String> missing(Dataset dataset) {
        List<String> out = new ArrayList<>();
        for (Dataset.Case c : dataset.cases()) if (!files.containsKey(c.id())) out.add(c.id());
        return out;
    }

    @Override
    public MaskVolume predict(Volume defectiveSkull) {
        throw new CalvariaException("predictions read from files need a case id");
    }

    @Override
    public MaskVolume predict(String caseId, Volume defectiveSkull) {
        Path p = files.get(caseId);
        if (p == null) {
            throw new CalvariaException("no predicted implant for case " + caseId + " in " + folder
                    + "; name it like the dataset's file (for example " + caseId + ".nrrd)");
        }
        return MaskVolume.requireBinary(VolumeIO.read(p), "predicted implant " + p);
    }

    @Override
    public String description() {
        return "predicted implants read from " + folder.toAbsolutePath().normalize();
    }

    /** File name, size and modification time: a changed prediction file is evaluated again on resume. */
    @Override
    public String fingerprint(String caseId) {
        Path p = files.get(caseId);
        if (p == null) return "missing";
        try {
            return "file:" + p.getFileName() + ":" + Files.size(p) + ":"
                    + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return "file:" + p.getFileName();
        }
    }
}
