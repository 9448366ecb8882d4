package org.calvaria.io;

import java.nio.file.Path;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/**
 * NIfTI-1 single-file reader and writer ({@code .nii}, {@code .nii.gz}).
 *
 * <p>NIfTI world coordinates are RAS; Calvaria's {@link Geometry} is LPS, so the first two rows of the affine (and of
 * the origin) change sign in both directions. Reading takes the sform when {@code sform_code > 0}, else the qform
 * (quaternion) when {@code qform_code > 0}, else the bare pixdim spacing. Both byte orders are read; little endian is
 * written. {@code scl_slope}/{@code scl_inter} are applied on reading (the result is then a float volume).
 *
 * <p>This class is the entry point; {@link NiftiHeader} decodes the header, {@link NiftiReader} and
 * {@link NiftiWriter} move the voxels.
 */
public final class NiftiIO {
    private NiftiIO() {}

    /** Reads a {@code .nii} or {@code .nii.gz} file (gzip recognised by content, not by name). */
    public static Volume read(Path path) {
        return NiftiReader.read(path);
    }

    /**
     * Writes {@code v} as NIfTI-1 ({@code .nii}, or gzip-compressed when the name ends in {@code .gz}) with voxel
     * type {@code type} (null: the volume's source type). Both the sform (exact) and the qform are set.
     */
    public static void write(Volume v, Path path, VoxelType type) {
        NiftiWriter.write(v, path, type);
    }
}
