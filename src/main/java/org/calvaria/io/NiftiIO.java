package org.calvaria.io;

import org.calvaria.CalvariaException;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

import java.nio.file.Path;

/** NIfTI-1 reader and writer (to be completed by the formats work). */
public final class NiftiIO {
    private NiftiIO() {}

    public static Volume read(Path path) {
        throw new CalvariaException("NIfTI reading is not available in this build: " + path);
    }

    public static void write(Volume v, Path path, VoxelType type) {
        throw new CalvariaException("NIfTI writing is not available in this build: " + path);
    }
}
