package org.calvaria.implant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.calvaria.CalvariaException;
import org.calvaria.evaluate.Metrics;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.Cuts;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

/** Both design paths (hole-oriented grids, one grid under the vertex), run with a perfect completion so that only
 * their geometry is tested. */
public class ImplantDesignerTest {
    private static final ImplantDesigner.Options OPTIONS = ImplantDesigner.Options.withThreshold(0.5);

    @Test
    void perfectCompletionOnHoleGridsRecoversALowLateralDefect() {
        MaskVolume skull = new SyntheticSkull(11).rasterize(1.0, 1.0);
        // a hemicraniectomy-like cut: 45 mm ball on the left side, 20 degrees below the horizontal through the centre
        MaskVolume truth = Cuts.ball(skull, Cuts.unit(1, 0.1, -0.1), 45);
        MaskVolume defective = skull.copy().andNot(truth);
        ImplantDesigner.Design d = ImplantDesigner.designWithTruth(defective, skull, NetworkGrid.wu2022(), OPTIONS);
        double dice = Metrics.dice(d.implant(), truth);
        assertTrue(dice > 0.9, "Dice of the perfect completion through the grid: " + dice);
        assertEquals(0, d.implant().intersectionCount(defective), "the implant never overlaps the skull");
        assertEquals(1, d.holes().size());
        ImplantDesigner.HoleDesign h = d.holes().get(0);
        assertEquals(1.0, h.rimInsideGrid(), 1e-12);
        assertTrue(h.closedFraction() > 0.97, "closed " + h.closedFraction());
    }

    @Test
    void twoHolesGetTwoGridsAndOneImplantEach() {
        MaskVolume skull = new SyntheticSkull(4).rasterize(1.2, 1.2);
        MaskVolume front = Cuts.ball(skull, Cuts.unit(0, -1, 0.4), 25);
        MaskVolume back = Cuts.ball(skull, Cuts.unit(0.2, 1, 0.2), 30);
        MaskVolume truth = front.copy().or(back);
        MaskVolume defective = skull.copy().andNot(truth);
        ImplantDesigner.Design d = ImplantDesigner.designWithTruth(defective, skull, NetworkGrid.wu2022(), OPTIONS);
        assertEquals(2, d.holes().size());
        assertTrue(Metrics.dice(d.implant(), truth) > 0.88, "Dice " + Metrics.dice(d.implant(), truth));
        assertEquals(2, Metrics.componentCount(d.implant()));
    }

    @Test
    void intactSkullIsRefusedWithAClearMessage() {
        MaskVolume skull = new SyntheticSkull(2).rasterize(1.5, 1.5);
        CalvariaException e = assertThrows(
                CalvariaException.class,
                () -> ImplantDesigner.designWithTruth(skull, skull, NetworkGrid.wu2022(), OPTIONS));
        assertTrue(e.getMessage().startsWith("no hole found in the skull"), e.getMessage());
    }

    @Test
    void aChildSizedSkullIsRefused() {
        MaskVolume adult = new SyntheticSkull(2).rasterize(1.5, 1.5);
        // the same skull with a 0.6 mm grid spacing recorded as 1.0 mm... i.e. a head 60 % of adult size
        org.calvaria.volume.Geometry g = adult.geometry();
        double[] m = g.matrix();
        for (int k = 0; k < 9; k++) m[k] *= 0.6;
        MaskVolume child = adult.withGeometry(new org.calvaria.volume.Geometry(g.nx(), g.ny(), g.nz(), g.origin(), m));
        MaskVolume defective = Cuts.withoutBall(child, Cuts.unit(1, 0, 0.5), 15);
        CalvariaException e = assertThrows(
                CalvariaException.class,
                () -> ImplantDesigner.designWithTruth(defective, child, NetworkGrid.wu2022(), OPTIONS));
        assertTrue(e.getMessage().contains("not validated for children"), e.getMessage());
    }

    @Test
    void aHoleFacingDownwardsIsNotDesigned() {
        // a closed spherical shell (outer radius 80 mm, 7 mm thick) with a 20 mm opening 125 degrees from the top
        org.calvaria.volume.Geometry g =
                org.calvaria.volume.Geometry.axisAligned(90, 90, 90, 2, 2, 2, new double[] {-89, -89, -89});
        MaskVolume shell = new MaskVolume(g);
        for (int z = 0; z < 90; z++) {
            for (int y = 0; y < 90; y++) {
                for (int x = 0; x < 90; x++) {
                    double[] p = g.indexToPhysical(x, y, z);
                    double r = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
                    if (r <= 80 && r >= 73) shell.set(x, y, z, true);
                }
            }
        }
        MaskVolume defective = Cuts.withoutBall(shell, Cuts.unit(0.6, 0.5, -0.6), 20);
        assertEquals(1, org.calvaria.normalise.HoleFinder.find(defective).size());
        CalvariaException e = assertThrows(
                CalvariaException.class,
                () -> ImplantDesigner.designWithTruth(defective, shell, NetworkGrid.wu2022(), OPTIONS));
        assertTrue(e.getMessage().contains("skull base"), e.getMessage());
    }

    @Test
    void vertexGridWithAPerfectCompletionRecoversATopDefect() {
        MaskVolume skull = new SyntheticSkull(11).rasterize(1.0, 1.0);
        MaskVolume truth = Cuts.ball(skull, Cuts.unit(0.3, -0.2, 1), 35);
        MaskVolume defective = skull.copy().andNot(truth);
        java.util.List<DesignStage> stages = new java.util.ArrayList<>();
        StageTimer timer = new StageTimer(stages::add);
        ImplantDesigner.Design d =
                ImplantDesigner.designUnderVertexWithTruth(defective, skull, NetworkGrid.wu2022(), OPTIONS, timer);
        timer.end();
        double dice = Metrics.dice(d.implant(), truth);
        assertTrue(dice > 0.9, "Dice of the perfect completion through the vertex grid: " + dice);
        assertEquals(0, d.implant().intersectionCount(defective), "the implant never overlaps the skull");
        assertTrue(d.implant().geometry().equals(defective.geometry()), "on the defective skull's own grid");
        assertTrue(d.completed().sameVoxels(defective.copy().or(d.implant())), "completed = defective + implant");
        assertTrue(d.implantCoveredFraction() > 0.999, "covered " + d.implantCoveredFraction());
        java.util.List<DesignStage> order = java.util.List.of(
                DesignStage.NORMALISE, DesignStage.COMPLETE, DesignStage.MAP_BACK, DesignStage.IMPLANT);
        assertEquals(order, stages);
        assertEquals(order, java.util.List.copyOf(timer.seconds().keySet()));
        assertTrue(d.holes().isEmpty(), "the vertex path designs no separate holes");
        assertEquals(
                d.implant().cardinality() * defective.geometry().voxelVolumeMm3() / 1000.0, d.implantVolumeMl(), 1e-9);
    }

    @Test
    void vertexGridOnAnIntactSkullAddsAlmostNothing() {
        MaskVolume skull = new SyntheticSkull(11).rasterize(1.0, 1.0);
        ImplantDesigner.Design d = ImplantDesigner.designUnderVertexWithTruth(
                skull, skull, NetworkGrid.wu2022(), OPTIONS, StageTimer.silent());
        // the completion is the skull itself: what the round trip adds is resampling noise, which the cleaner drops
        assertTrue(
                d.implant().cardinality() < skull.cardinality() / 1000,
                "implant voxels " + d.implant().cardinality() + " of " + skull.cardinality());
    }

    @Test
    void anEmptySkullIsRefused() {
        MaskVolume skull = new SyntheticSkull(2).rasterize(1.5, 1.5);
        MaskVolume empty = new MaskVolume(skull.geometry());
        CalvariaException e = assertThrows(
                CalvariaException.class,
                () -> ImplantDesigner.designUnderVertexWithTruth(
                        empty, skull, NetworkGrid.wu2022(), OPTIONS, StageTimer.silent()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
