package org.calvaria.cli;

import org.calvaria.complete.Architecture;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.TensorFlowSupport;
import org.calvaria.train.NetBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calvaria bench net} (also {@code bench-net}, its old spelling): how fast the completion network runs here, against the machine's compute floor. */
@Command(
        name = "net",
        mixinStandardHelpOptions = true,
        description = "Time the completion network on this machine: forward pass (1 sample), training step, and a"
                + " large matrix multiply in the same engine as the compute floor; prints GFLOP, GFLOP/s and the ratio"
                + " of the forward time to the floor.")
public final class BenchNetCommand extends CalvariaCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--arch",
            paramLabel = "NAME",
            defaultValue = "wu2022",
            description =
                    "Architecture: wu2022, wide16, or widths like 12,12,8,8[/2,4,8,16] (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(
            names = "--grid",
            paramLabel = "XxYxZ",
            defaultValue = "112x112x40",
            description = "Network grid, each size divisible by 8 (default: ${DEFAULT-VALUE}).")
    String grid;

    @Option(names = "--threads", paramLabel = "N", description = "TensorFlow threads (default: all cores).")
    Integer threads;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "10",
            description = "Batch size of the timed training step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--repeats",
            paramLabel = "N",
            defaultValue = "7",
            description = "Timed runs per figure after one warm-up; medians are printed (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--matmul-size",
            paramLabel = "N",
            defaultValue = "2048",
            description = "Size of the square matrix multiply that measures the floor (default: ${DEFAULT-VALUE}).")
    int matmulSize;

    @Option(
            names = "--design-case",
            paramLabel = "SKULL",
            description = "Defective skull timed end to end through 'design' with the bundled model (default: SkullFix"
                    + " case 000 from ../shared/data when present; 'none' skips).")
    String designCase;

    @Override
    public void run() {
        Architecture a = parsed(() -> Architecture.named(arch));
        GridSpec g = parsed(() -> TrainCommand.parseGrid(grid, null));
        if (batch < 1 || batch > 64) throw badOption("--batch must be 1..64, got " + batch);
        if (repeats < 1 || repeats > 100) throw badOption("--repeats must be 1..100");
        if (matmulSize < 64 || matmulSize > 16384) {
            throw badOption("--matmul-size must be 64..16384, got " + matmulSize);
        }
        int t = threads == null ? TensorFlowSupport.defaultThreads() : threads;
        NetBenchmark.Figures f = NetBenchmark.run(a, g, t, batch, repeats, matmulSize);
        out().print(f.report());
        out().flush();
        benchDesign();
    }

    /** End-to-end design of a real-size case, per stage, with the bundled model (warm: second of two runs). */
    private void benchDesign() {
        java.nio.file.Path skull = designCase != null
                ? (designCase.equals("none") ? null : java.nio.file.Path.of(designCase))
                : java.nio.file.Path.of("../shared/data/skullfix/defective_skull/000.nrrd");
        if (skull == null) return;
        if (!java.nio.file.Files.isRegularFile(skull)) {
            out().println("design:          skipped (" + skull + " not found; give --design-case SKULL)");
            return;
        }
        try (org.calvaria.complete.CompletionModel m = org.calvaria.complete.CompletionModel.loadDefault()) {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("calvaria-bench");
            try {
                org.calvaria.pipeline.DesignPipeline pipeline = new org.calvaria.pipeline.DesignPipeline(m, "bundled");
                org.calvaria.pipeline.DesignPipeline.Result r = null;
                for (int run = 0; run < 2; run++) {
                    r = pipeline.run(
                            skull,
                            org.calvaria.pipeline.DesignPipeline.Settings.defaults(),
                            new org.calvaria.pipeline.DesignPipeline.OutputFiles(
                                    dir.resolve("implant.stl"), null, null, null, null),
                            stage -> {});
                }
                out().println("design:          " + skull + " (" + r.defective().geometry() + ")");
                out().println("design stages:   " + r.report().secondsPerStage() + " s (warm run)");
            } finally {
                try (var files = java.nio.file.Files.list(dir)) {
                    for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) files::iterator) {
                        java.nio.file.Files.deleteIfExists(p);
                    }
                }
                java.nio.file.Files.deleteIfExists(dir);
            }
        } catch (java.io.IOException e) {
            throw new org.calvaria.CalvariaException("benchmark temporary folder failed: " + e.getMessage(), e);
        }
    }
}
