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
 */
public record DesignOutcome(Path implantStl, Path implantNrrd, Path completedSkullNrrd, Path reportJson,
                            Path previewPng, Figures figures) {
    public DesignOutcome {
        Objects.requireNonNull(implantStl, "implantStl");
        Objects.requireNonNull(implantNrrd, "implantNrrd");
        Objects.requireNonNull(reportJson, "reportJson");
        Objects.requireNonNull(figures, "figures");
    }

    /**
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
