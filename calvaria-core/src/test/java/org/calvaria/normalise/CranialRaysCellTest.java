package org.calvaria.normalise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The map cell of a direction, found from cosines, against the same cell found from the angles (acos, atan2). */
class CranialRaysCellTest {
    private static void same(double x, double y, double z) {
        double[] u = {x, y, z};
        assertArrayEquals(
                CranialRays.cellOfByAngles(u), CranialRays.cellOf(u), "direction (" + x + ", " + y + ", " + z + ")");
    }

    @Test
    void randomDirectionsOfAnyLength() {
        Random r = new Random(11);
        for (int i = 0; i < 1_000_000; i++) {
            double scale = Math.pow(10, r.nextInt(7) - 3);
            same(scale * r.nextGaussian(), scale * r.nextGaussian(), scale * r.nextGaussian());
        }
    }

    @Test
    void voxelOffsetsWithTheirManyExactTies() {
        // whole-voxel offsets from a centre: axes, diagonals and other exact ties with the map's edges
        for (int x = -40; x <= 40; x++) {
            for (int y = -40; y <= 40; y++) {
                for (int z = -40; z <= 40; z += 3) {
                    if (x != 0 || y != 0 || z != 0) same(0.45 * x, 0.45 * y, 0.6 * z);
                }
            }
        }
    }

    @Test
    void directionsOnAndBesideEveryEdge() {
        double[] nudges = {0, 1e-15, -1e-15, 1e-12, -1e-12, 1e-10, -1e-10, 1e-9, -1e-9, 1e-8, -1e-8, 1e-6, -1e-6};
        for (int k = 0; k <= CranialRays.ROWS; k++) {
            for (double d : nudges) {
                double theta = Math.toRadians(k * CranialRays.STEP_DEG) + d;
                for (int j = 0; j <= CranialRays.COLUMNS; j++) {
                    double phi = Math.toRadians(j * CranialRays.STEP_DEG) + d;
                    same(Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi), Math.cos(theta));
                }
            }
        }
    }

    @Test
    void polesAndAxes() {
        same(0, 0, 1);
        same(0, 0, -1);
        same(1, 0, 0);
        same(-1, 0, 0);
        same(0, 1, 0);
        same(0, -1, 0);
        same(-1, -0.0, 0);
        same(1, -0.0, 0);
        same(-1, -0.0, 0.5);
        assertEquals(0, CranialRays.cellOf(new double[] {0, 0, 5})[0]);
        assertEquals(CranialRays.ROWS - 1, CranialRays.cellOf(new double[] {0, 0, -5})[0]);
        assertArrayEquals(
                new int[] {45, 45},
                CranialRays.cellOf(new double[] {Math.cos(Math.toRadians(91)), Math.sin(Math.toRadians(91)), -0.01}));
    }
}
