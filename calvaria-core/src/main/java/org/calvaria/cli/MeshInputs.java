package org.calvaria.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.CalvariaException;
import org.calvaria.io.ReadOptions;
import org.calvaria.io.VolumeFormat;
import org.calvaria.io.VolumeIO;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;

/** Reading what the mesh commands take: a mesh file, or a binary mask volume that is meshed on the fly. */
final class MeshInputs {
    private MeshInputs() {}

    /** True when the file holds a volume (NRRD, NIfTI, DICOM) rather than a mesh. */
    static boolean isVolume(Path path) {
        if (!Files.exists(path)) throw new CalvariaException(path + " does not exist");
        VolumeFormat f = VolumeFormat.detect(path);
        return f == VolumeFormat.NRRD
                || f == VolumeFormat.NIFTI
                || f == VolumeFormat.DICOM_SERIES
                || f == VolumeFormat.DICOM_FILE;
    }

    /** A mesh file only; a volume gets a message pointing to 'calvaria mesh'. */
    static TriangleMesh readMesh(Path path) {
        if (isVolume(path)) {
            throw new CalvariaException(path + " is a volume, not a mesh; mesh it first with 'calvaria mesh "
                    + path.getFileName() + " -o mesh.stl'");
        }
        TriangleMesh m = MeshIO.read(path);
        if (m.isEmpty()) throw new CalvariaException(path + " has no triangles");
        return m;
    }

    /** A binary mask volume; intensity volumes are refused with advice. */
    static MaskVolume readMask(Path path, ReadOptions options) {
        Volume v = VolumeIO.read(path, options);
        MaskVolume m = MaskVolume.requireBinary(v, path.toString());
        if (m.isEmpty()) throw new CalvariaException(path + " is an empty mask (no voxel set); nothing to mesh");
        return m;
    }

    /** A mesh file as it is, or the marching-cubes surface of a binary mask volume. */
    static TriangleMesh meshOrMaskSurface(Path path, ReadOptions options) {
        if (isVolume(path)) return MarchingCubes.extract(readMask(path, options));
        return readMesh(path);
    }
}
