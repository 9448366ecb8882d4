package org.calvaria.implant;

import org.calvaria.volume.Geometry;

import java.util.List;

/** Test access to the designer's package-private measures. */
public final class ImplantDesignerAccess {
    private ImplantDesignerAccess() {}

    public static double insideShare(List<double[]> points, Geometry grid) {
        return ImplantDesigner.insideShare(points, grid);
    }
}
