package org.calvaria.mesh;

import static org.calvaria.evaluate.Metrics.dice;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.calvaria.Progress;
import org.calvaria.io.VolumeIO;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mesh pipeline on a real SkullFix skull (512 x 512 x 237, sheared grid). Skips when ../shared/data is absent. */
class SkullFixMeshTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        Progress.enabled(false);
    }

    @Test
    void completeSkullMeshIsClosedKeepsItsVolumeAndVoxelizesBack() {
        MaskVolume skull = MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("complete_skull", "000")), "000");
        assertEquals(3_588_832, skull.cardinality(), "the data README's voxel count");
        assertFalse(skull.geometry().isAxisAligned(1e-6), "case 000 has a gantry tilt");
        TriangleMesh mesh = MarchingCubes.extract(skull);
        assertTrue(mesh.isWatertight());
        double voxelVolume = skull.cardinality() * skull.geometry().voxelVolumeMm3();
        assertEquals(voxelVolume, mesh.enclosedVolumeMm3(), 0.02 * voxelVolume);

        MaskVolume back = Voxelizer.voxelize(mesh, skull.geometry());
        assertTrue(dice(skull, back) >= 0.999, "dice " + dice(skull, back));

        TriangleMesh smooth = MeshSmoothing.taubin(mesh, 10);
        assertTrue(smooth.isWatertight());
        assertEquals(mesh.enclosedVolumeMm3(), smooth.enclosedVolumeMm3(), 0.01 * mesh.enclosedVolumeMm3());
        MaskVolume smoothBack = Voxelizer.voxelize(smooth, skull.geometry());
        assertTrue(dice(skull, smoothBack) >= 0.97, "dice after smoothing " + dice(skull, smoothBack));
    }

    @Test
    void implantSurvivesAnStlRoundTripAndDecimation() {
        MaskVolume implant = MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("implant", "000")), "implant");
        TriangleMesh mesh = MeshSmoothing.taubin(MarchingCubes.extract(implant), 10);
        Path stl = tmp.resolve("implant.stl");
        MeshIO.writeStlBinary(mesh, stl, "test");
        TriangleMesh back = MeshIO.read(stl);
        assertEquals(mesh.triangleCount(), back.triangleCount());
        assertEquals(mesh.isWatertight(), back.isWatertight());
        assertEquals(mesh.enclosedVolumeMm3(), back.enclosedVolumeMm3(), 1e-6 * mesh.enclosedVolumeMm3());

        TriangleMesh small = MeshDecimator.decimate(back, 0.25);
        assertEquals(mesh.isWatertight(), small.isWatertight());
        assertEquals(mesh.enclosedVolumeMm3(), small.enclosedVolumeMm3(), 0.01 * mesh.enclosedVolumeMm3());
        MaskVolume voxels = Voxelizer.voxelize(small, implant.geometry());
        assertTrue(
                dice(implant, voxels) >= 0.95, "implant dice after smoothing and decimation " + dice(implant, voxels));
    }
}
