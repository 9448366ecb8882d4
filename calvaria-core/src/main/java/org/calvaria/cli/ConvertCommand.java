package org.calvaria.cli;

import java.nio.file.Path;
import org.calvaria.Provenance;
import org.calvaria.files.Outputs;
import org.calvaria.io.VolumeIO;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria convert IN OUT}: between NRRD, NIfTI and DICOM (read only). */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = "Convert a volume between NRRD (.nrrd/.nhdr) and NIfTI (.nii/.nii.gz), or import a DICOM CT"
                + " series (folder or one of its files) into either. Placement is kept (NIfTI holds it as 32-bit"
                + " floats: within 0.0001 mm); the input format is recognised by content, the output format by the"
                + " OUT name.")
public final class ConvertCommand extends CalvariaCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ConvertCommand.class);

    @Mixin
    CommonOptions common;

    @Mixin
    VolumeReadOptions reading;

    @Parameters(
            index = "0",
            paramLabel = "IN",
            description = "Input: NRRD, NIfTI, a DICOM series folder, or one DICOM file (its series is read).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output file: .nrrd, .nhdr (detached), .nii or .nii.gz.")
    Path out;

    @Option(
            names = "--type",
            paramLabel = "TYPE",
            description = "Voxel type to write: int8 uint8 int16 uint16 int32 uint32 float double (default: as read).")
    String type;

    @Override
    public void run() {
        VoxelType t = null;
        if (type != null) {
            t = VoxelType.fromNrrd(type);
            if (t == null) {
                throw badOption("unknown --type '" + type + "'; use int8 uint8 int16 uint16 int32 uint32 float double");
            }
        }
        Outputs.requireNotInput(out, in);
        VolumeIO.formatForName(out);
        Outputs.requireFileTarget(out);
        Volume v = VolumeIO.read(in, reading.toReadOptions());
        Provenance.stamp(v, "convert " + in.getFileName());
        VolumeIO.write(v, out, t);
        LOG.info("wrote {} ({} x {} x {})", out, v.nx(), v.ny(), v.nz());
    }
}
