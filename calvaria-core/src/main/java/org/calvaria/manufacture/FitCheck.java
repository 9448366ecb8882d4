package org.calvaria.manufacture;

import org.calvaria.CalvariaException;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.morphology.Morphology;
import org.calvaria.volume.MaskVolume;

/** The fit-check model: the bone around the implant, closed into a solid to try the implant on. */
final class FitCheck {
    private FitCheck() {}

    /**
     * The fit-check model: the defective skull within {@code marginMm} of the implant, closed into a solid (the cut
     * faces are closed by marching cubes), pieces not touching the defect's rim dropped.
     */
    static TriangleMesh fitCheck(MaskVolume skull, MaskVolume implant, double marginMm) {
        if (implant.isEmpty()) throw new CalvariaException("no implant: nothing to make a fit check around");
        Crop box = Crop.around(implant, marginMm + 2);
        MaskVolume im = box.cut(implant);
        // A distance transform, not a dilation: a 20 mm ball has thousands of rows at 0.45 mm voxels.
        float[] d2 = org.calvaria.evaluate.DistanceTransform.squaredDistanceMm2(
                im, im.geometry().spacing());
        MaskVolume near = new MaskVolume(im.geometry());
        double m2 = marginMm * marginMm;
        for (int i = 0; i < d2.length; i++) if (d2[i] <= m2) near.set(i, true);
        MaskVolume part = box.cut(skull).and(near);
        if (part.isEmpty()) throw new CalvariaException("no bone within " + marginMm + " mm of the implant");
        // The rim: bone within 2 mm of the implant, and at least the bone touching it (26-neighbours) on a scan whose
        // voxels are coarser than that.
        double[] sp = im.geometry().spacing();
        double touch = 1.01 * Math.sqrt(sp[0] * sp[0] + sp[1] * sp[1] + sp[2] * sp[2]);
        MaskVolume rim = Morphology.dilate(im, Math.max(2.0, touch)).and(part);
        if (rim.isEmpty()) {
            throw new CalvariaException("no bone touches the implant's rim, so there is nothing to fit it into; check"
                    + " the implant against the skull");
        }
        part = ConnectedComponents.keepComponentsTouching(part, rim);
        return MarchingCubes.extract(part);
    }
}
