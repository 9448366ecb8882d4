package org.calvaria.io;

import java.nio.file.Path;

/** One image file of a DICOM folder with what placing it needs: its header, position and place along the normal. */
record DicomSlice(Path file, DicomHeader header, double[] position, double along) {}
