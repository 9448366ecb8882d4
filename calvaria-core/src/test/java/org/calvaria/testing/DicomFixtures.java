package org.calvaria.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.calvaria.volume.Geometry;

/**
 * The small DICOM series under src/test/resources/dicom (made by make-fixtures.sh there, committed) and what the
 * script put in them.
 */
public final class DicomFixtures {
    private DicomFixtures() {}

    /** A fixture folder or file, e.g. {@code "oblique-ct"} or {@code "two-series/b1.dcm"}. */
    public static Path path(String name) {
        URL url = DicomFixtures.class.getResource("/dicom/" + name);
        if (url == null) throw new IllegalStateException("test resource dicom/" + name + " is missing");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The oblique-ct grid as the script defines it: row/column/normal directions are the columns of a 20-degree
     * rotation about (1,2,2)/3; PixelSpacing 0.7 (rows) x 0.5 (columns); slice step 1.25 * normal + 0.15 * column
     * direction (gantry tilt); first slice at (-40.5, 22.25, 101).
     */
    public static Geometry obliqueCtGrid() {
        double[] r = Geometry.rotation(new double[] {1, 2, 2}, Math.toRadians(20));
        double[] m = new double[9];
        for (int i = 0; i < 3; i++) {
            m[3 * i] = r[3 * i] * 0.5;
            m[3 * i + 1] = r[3 * i + 1] * 0.7;
            m[3 * i + 2] = 1.25 * r[3 * i + 2] + 0.15 * r[3 * i + 1];
        }
        return new Geometry(16, 12, 6, new double[] {-40.5, 22.25, 101.0}, m);
    }

    /** HU of oblique-ct voxel (x, y, k): RescaleSlope 2, intercept -1024 on stored 10x + 37y + 300k + 1. */
    public static double obliqueCtHu(int x, int y, int k) {
        return 2 * (10 * x + 37 * y + 300 * k + 1) - 1024;
    }
}
