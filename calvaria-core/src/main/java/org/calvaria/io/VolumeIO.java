package org.calvaria.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/** Reads any supported volume (format detected from content) and writes by output extension. */
public final class VolumeIO {
    private VolumeIO() {}

    public static Volume read(Path path) {
        return read(path, ReadOptions.defaults());
    }

    /** Reads any supported volume; {@code options} say how tolerant DICOM reading is. */
    public static Volume read(Path path, ReadOptions options) {
        VolumeFormat f = VolumeFormat.detect(path);
        switch (f) {
            case NRRD:
                return NrrdIO.read(path);
            case NIFTI:
                return NiftiIO.read(path);
            case DICOM_SERIES:
                return DicomSeriesReader.read(path, options);
            case DICOM_FILE:
                return DicomSeriesReader.read(path, options); // the series this file belongs to
            case STL:
                throw new CalvariaException(path + " is a mesh (STL), not a volume; turn it into a volume with"
                        + " 'calvaria voxelize MESH --like REFERENCE -o out.nrrd'");
            default:
                if (startsWithGzipMagic(path)) {
                    throw new CalvariaException(path + " is gzip-compressed but holds no NIfTI-1 image (a .nii.gz);"
                            + " supported: NRRD, NIfTI .nii/.nii.gz, DICOM; decompress it and check what it is");
                }
                throw new CalvariaException(path + " is not a supported volume (NRRD, NIfTI .nii/.nii.gz, or a DICOM"
                        + " folder); check the file or convert it");
        }
    }

    private static boolean startsWithGzipMagic(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return VolumeFormat.isGzip(in.readNBytes(2));
        } catch (IOException e) {
            return false;
        }
    }

    /** Output format chosen from the file name. */
    public static VolumeFormat formatForName(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".nrrd") || n.endsWith(".nhdr")) return VolumeFormat.NRRD;
        if (n.endsWith(".nii") || n.endsWith(".nii.gz")) return VolumeFormat.NIFTI;
        throw new CalvariaException("cannot tell the output format of '" + path.getFileName()
                + "'; use a .nrrd, .nhdr, .nii or .nii.gz name");
    }

    public static void write(Volume v, Path path) {
        write(v, path, null);
    }

    /** Writes with the given voxel type (null: the volume's source type). */
    public static void write(Volume v, Path path, VoxelType type) {
        switch (formatForName(path)) {
            case NRRD:
                NrrdIO.write(v, path, type, NrrdIO.Encoding.GZIP);
                break;
            case NIFTI:
                NiftiIO.write(v, path, type);
                break;
            default:
                throw new IllegalStateException();
        }
    }
}
