package org.calvaria.io;

import org.calvaria.CalvariaException;
import org.calvaria.volume.Volume;

import java.nio.file.Path;

/** DICOM CT series import (to be completed by the formats work). */
public final class DicomSeriesReader {
    private DicomSeriesReader() {}

    public static Volume read(Path folder) {
        throw new CalvariaException("DICOM import is not available in this build: " + folder);
    }
}
