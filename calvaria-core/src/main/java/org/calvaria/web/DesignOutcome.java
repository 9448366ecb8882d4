package org.calvaria.web;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The files one design wrote and its figures. Optional files are {@code null} when the pipeline made none.
 *
 * @param implantStl         the implant mesh (binary or ASCII STL), required
 * @param implantNrrd        the implant as a binary volume (NRRD), required; shown over the skull in the viewer
 * @param completedSkullNrrd the completed skull (NRRD), optional
 * @param reportJson         the design report (JSON), required
 * @param previewPng         a preview picture (PNG), optional
 * @param figures            the numbers shown beside the viewer
 * @param holesJson          the holes found and their rim points (JSON, see {@link RimMarks}), optional
 * @param rimsStl            markers along the holes' rims for the 3-D view (STL in the viewer's RAS mm), optional
 */
public record DesignOutcome(
        Path implantStl,
        Path implantNrrd,
        Path completedSkullNrrd,
        Path reportJson,
        Path previewPng,
        Figures figures,
        Path holesJson,
        Path rimsStl) {
    public DesignOutcome {
        Objects.requireNonNull(implantStl, "implantStl");
        Objects.requireNonNull(implantNrrd, "implantNrrd");
        Objects.requireNonNull(reportJson, "reportJson");
        Objects.requireNonNull(figures, "figures");
    }

    /** An outcome without hole data (a pipeline that does not look for holes). */
    public DesignOutcome(
            Path implantStl,
            Path implantNrrd,
            Path completedSkullNrrd,
            Path reportJson,
            Path previewPng,
            Figures figures) {
        this(implantStl, implantNrrd, completedSkullNrrd, reportJson, previewPng, figures, null, null);
    }

    /**
     * The design's figures, as the page shows them.
     *
     * @param implantVolumeMl implant volume in millilitres (cm^3)
     * @param surfaceAreaMm2  implant surface area in mm^2
     * @param boundingBoxMm   implant bounding box extent {x, y, z} in mm
     * @param seconds         time the design took
     */
    public record Figures(double implantVolumeMl, double surfaceAreaMm2, double[] boundingBoxMm, double seconds) {
        public Figures {
            Objects.requireNonNull(boundingBoxMm, "boundingBoxMm");
            if (boundingBoxMm.length != 3) throw new IllegalArgumentException("boundingBoxMm needs 3 values");
            boundingBoxMm = boundingBoxMm.clone();
        }

        @Override
        public double[] boundingBoxMm() {
            return boundingBoxMm.clone();
        }
    }
}
