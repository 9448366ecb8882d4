package org.calvaria.complete;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.calvaria.CalvariaException;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    @Test
    void paperNetworkHasTwelveLayersAnd8269Parameters() {
        Architecture a = Architecture.wu2022();
        List<Architecture.Layer> layers = a.layers();
        assertEquals(12, layers.size());
        // Table 1, "Channels" column, top to bottom
        assertArrayEquals(
                new int[] {8, 8, 4, 4, 4, 4, 4, 4, 4, 8, 8, 1},
                layers.stream().mapToInt(Architecture.Layer::outChannels).toArray());
        assertArrayEquals(
                new int[] {1, 1, 1, 1, 2, 4, 8, 16, 1, 1, 1, 1},
                layers.stream().mapToInt(Architecture.Layer::dilation).toArray());
        assertEquals(8269, a.parameterCount());
        long fromShapes =
                a.variableShapes().values().stream().mapToLong(Weights::size).sum();
        assertEquals(8269, fromShapes);
        assertEquals(8269, Weights.glorotUniform(a, 3).parameterCount());
    }

    @Test
    void forwardCostOnPaperGridIsAbout4Point14Gflop() {
        double flops = Architecture.wu2022().forwardFlops(GridSpec.paper(100));
        // full-resolution layers dominate: c0, e1, d3, out = 2*27*(8+64+64+8)*40*112*112
        double fullResolution = 2.0 * 27 * (8 + 64 + 64 + 8) * 40 * 112 * 112;
        assertTrue(flops > fullResolution && flops < 1.06 * fullResolution, "flops " + flops);
        assertEquals(4.14e9, flops, 0.01e9);
    }

    @Test
    void variantsAndCustomSpecs() {
        Architecture wide = Architecture.named("wide16");
        assertArrayEquals(new int[] {16, 16, 16, 16}, wide.widths());
        // 16 channels everywhere: 10 convs 16->16 plus c0 (1->16) and out (16->1)
        assertEquals(10 * (27 * 256 + 16) + (27 * 16 + 16) + (27 * 16 + 1), wide.parameterCount());
        Architecture custom = Architecture.named("12,12,8,8/2,4");
        assertArrayEquals(new int[] {12, 12, 8, 8}, custom.widths());
        assertArrayEquals(new int[] {2, 4}, custom.dilations());
        assertEquals(10, custom.layers().size());
        assertTrue(Architecture.named("WU2022").sameShapeAs(Architecture.wu2022()));
        CalvariaException e = assertThrows(CalvariaException.class, () -> Architecture.named("resnet"));
        assertTrue(e.getMessage().contains("unknown architecture"), e.getMessage());
        assertThrows(CalvariaException.class, () -> new Architecture("x", new int[] {8, 8, 4}, new int[] {2}));
    }

    @Test
    void gridMustBeDivisibleByEight() {
        CalvariaException e = assertThrows(CalvariaException.class, () -> new GridSpec(112, 112, 41, 80));
        assertTrue(e.getMessage().contains("divisible by 8"), e.getMessage());
        assertThrows(CalvariaException.class, () -> new GridSpec(112, 112, 40, 0));
        assertThrows(CalvariaException.class, () -> new GridSpec(1024, 1024, 1024, 80));
        assertEquals(501760, GridSpec.paper(80).voxelCount());
    }
}
