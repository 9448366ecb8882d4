package org.calvaria.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calvaria.files.Outputs;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.render.PreviewRenderer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria preview SKULL [--overlay IMPLANT] -o preview.png}: a quick picture, no display needed. */
@Command(
        name = "preview",
        mixinStandardHelpOptions = true,
        description = {
            "Render a skull (binary mask volume or mesh) from above and in an isometric view, side by"
                    + " side, into a PNG. An overlay (e.g. the implant) is drawn in red on the bone-coloured first input."
        })
public final class PreviewCommand extends CalvariaCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewCommand.class);

    @Mixin
    CommonOptions common;

    @Mixin
    VolumeReadOptions reading;

    @Parameters(
            index = "0",
            paramLabel = "VOLUME_OR_MESH",
            description = "Binary mask volume (meshed first) or mesh file (.stl .ply .obj).")
    Path input;

    @Option(names = "--overlay", paramLabel = "SECOND", description = "Second mask or mesh, drawn in red.")
    Path overlay;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "PNG",
            description = "Output image (.png).")
    Path output;

    @Option(names = "--title", paramLabel = "TEXT", description = "Title printed above the views.")
    String title;

    @Option(
            names = "--size",
            paramLabel = "PX",
            defaultValue = "600",
            description = "Width and height of each view in pixels (default 600).")
    int size;

    @Option(
            names = "--smooth",
            paramLabel = "N",
            defaultValue = "0",
            description = "Taubin smoothing iterations for meshed volumes (default 0: show the voxel surface).")
    int smooth;

    @Override
    public void run() {
        if (!output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw badOption("the preview is a PNG image; name the output .png");
        }
        if (smooth < 0 || smooth > 10_000) throw badOption("--smooth must be 0..10000, got " + smooth);
        PreviewRenderer renderer = new PreviewRenderer(size);
        Outputs.requireNotInput(output, input, overlay);
        List<PreviewRenderer.Layer> layers = new ArrayList<>();
        layers.add(new PreviewRenderer.Layer(load(input), PreviewRenderer.BONE));
        if (overlay != null) layers.add(new PreviewRenderer.Layer(load(overlay), PreviewRenderer.IMPLANT));
        PreviewRenderer.writePng(renderer.render(layers, title), output);
        LOG.info("wrote {}", output);
    }

    private TriangleMesh load(Path path) {
        boolean volume = MeshInputs.isVolume(path);
        TriangleMesh m = MeshInputs.meshOrMaskSurface(path, reading.toReadOptions());
        return volume && smooth > 0 ? MeshSmoothing.taubin(m, smooth) : m;
    }
}
