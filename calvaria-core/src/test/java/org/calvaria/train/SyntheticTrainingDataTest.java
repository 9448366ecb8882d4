package org.calvaria.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.calvaria.complete.GridSpec;
import org.calvaria.dataset.Batch;
import org.junit.jupiter.api.Test;

class SyntheticTrainingDataTest {
    static final GridSpec GRID = new GridSpec(32, 32, 16, 80);

    @Test
    void pairsAreSkullsWithHoles() {
        SyntheticTrainingData data = new SyntheticTrainingData(GRID, 4, 2, 3, 1);
        data.seek(3);
        Batch b = data.next(3);
        int v = GRID.voxelCount();
        for (int s = 0; s < 3; s++) {
            int bone = 0, removed = 0;
            for (int i = s * v; i < (s + 1) * v; i++) {
                assertTrue(b.defective()[i] <= b.complete()[i], "defective is a subset of complete");
                if (b.complete()[i] == 1) bone++;
                if (b.complete()[i] == 1 && b.defective()[i] == 0) removed++;
            }
            assertTrue(bone > 0.03 * v && bone < 0.5 * v, "bone fraction " + bone);
            assertTrue(removed > 0 && removed < bone / 2, "hole of " + removed + " voxels in " + bone);
        }
    }

    @Test
    void epochsAndValidationAreReproducible() {
        SyntheticTrainingData a = new SyntheticTrainingData(GRID, 4, 2, 5, 1);
        SyntheticTrainingData b = new SyntheticTrainingData(GRID, 4, 2, 5, 1);
        a.seek(11);
        a.next(2);
        Batch a2 = a.next(2);
        b.seek(11);
        b.next(2);
        assertArrayEquals(a2.defective(), b.next(2).defective());
        List<Batch> va = a.validation();
        assertSame(va, a.validation());
        assertEquals(5, va.stream().mapToInt(Batch::count).sum());
        for (int i = 0; i < va.size(); i++)
            assertArrayEquals(va.get(i).complete(), b.validation().get(i).complete());
        a.seek(12);
        assertFalse(java.util.Arrays.equals(a2.defective(), a.next(2).defective()), "another epoch, other pairs");
    }

    @Test
    void validationSkullsDifferFromTrainingSkulls() {
        SyntheticTrainingData data = new SyntheticTrainingData(GRID, 2, 1, 1, 1);
        float[] validationSkull = data.validation().get(0).complete();
        data.seek(0);
        Batch b = data.next(8);
        for (int s = 0; s < 8; s++) {
            assertFalse(java.util.Arrays.equals(validationSkull, b.complete(s)), "sample " + s);
        }
    }
}
