package org.calvaria.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.files.Outputs;
import org.calvaria.io.VolumeIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.mesh.Voxelizer;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria voxelize MESH --like REFERENCE -o out.nrrd}: a closed mesh back to a binary mask. */
@Command(
        name = "voxelize",
        mixinStandardHelpOptions = true,
        description = {
            "Turn a closed mesh (STL, PLY, OBJ) into a binary mask: voxels whose centres lie inside the"
                    + " surface are set. The grid is a reference volume's (any orientation, sheared included) or an"
                    + " axis-aligned grid of the given spacing around the mesh."
        })
public final class VoxelizeCommand extends CalvariaCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(VoxelizeCommand.class);

    @Mixin
    CommonOptions common;

    @Mixin
    VolumeReadOptions reading;

    @Parameters(index = "0", paramLabel = "MESH", description = "Mesh file: .stl (binary or ASCII), .ply, .obj.")
    Path input;

    static final class Grid {
        @Option(
                names = "--like",
                paramLabel = "REFERENCE",
                required = true,
                description = "Volume whose grid (sizes, spacing, orientation, origin) the mask gets.")
        Path like;

        @Option(
                names = "--spacing",
                paramLabel = "MM",
                required = true,
                description = "Isotropic spacing of an axis-aligned grid covering the mesh (2 voxels margin).")
        Double spacing;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Grid grid;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "VOLUME",
            description = "Output mask: .nrrd, .nhdr, .nii or .nii.gz (uint8 0/1).")
    Path output;

    @Override
    public void run() {
        VolumeIO.formatForName(output);
        Outputs.requireNotInput(output, input, grid.like);
        TriangleMesh mesh = MeshInputs.readMesh(input);
        boolean closed = mesh.isWatertight();
        if (!closed) {
            LOG.warn(
                    "{} is not a closed, consistently oriented surface; filling by crossing parity, holes may leak",
                    input);
        }
        Geometry g;
        String how;
        if (grid.like != null) {
            g = VolumeIO.read(grid.like, reading.toReadOptions()).geometry();
            how = "voxelize " + input.getFileName() + " --like " + grid.like.getFileName();
        } else {
            g = Voxelizer.gridCovering(mesh, grid.spacing, 2);
            how = "voxelize " + input.getFileName() + " --spacing " + MeshCommand.num(grid.spacing);
        }
        MaskVolume mask = Voxelizer.voxelize(mesh, g);
        if (mask.isEmpty()) {
            throw new CalvariaException("no voxel centre of the grid lies inside " + input
                    + "; check that the mesh and the reference volume overlap (same patient, LPS coordinates)");
        }
        Provenance.stamp(mask, how);
        VolumeIO.write(mask, output, VoxelType.UINT8);
        long n = mask.cardinality();
        out().printf(Locale.ROOT, "grid:        %s%n", g);
        out().printf(Locale.ROOT, "voxels set:  %d%n", n);
        out().printf(
                        Locale.ROOT,
                        "volume:      %.3f ml (voxels), %.3f ml (mesh)%n",
                        n * g.voxelVolumeMm3() / 1000.0,
                        mesh.enclosedVolumeMm3() / 1000.0);
        LOG.info("wrote {}", output);
    }
}
