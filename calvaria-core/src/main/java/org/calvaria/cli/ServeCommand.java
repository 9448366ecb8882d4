package org.calvaria.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import org.calvaria.web.DesignService;
import org.calvaria.web.WebServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calvaria serve}: the local web app (open a skull, see it in 3-D, design and download an implant). */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Start the local web app: open a defective skull (NRRD, NIfTI, zipped DICOM folder, or STL to"
                + " view only), see it in 3-D, design an implant and download it. Runs until Ctrl-C; cases and results"
                + " are kept in a workspace folder and listed again after a restart. Needs no network.")
public final class ServeCommand extends CalvariaCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "8080",
            description = "TCP port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this computer only). Anything else lets"
                    + " other computers upload scans and download results, with no login: use with care.")
    String bind;

    @Option(
            names = "--max-upload-mb",
            paramLabel = "N",
            defaultValue = "1024",
            description = "Largest file accepted, in MB (default: ${DEFAULT-VALUE}).")
    long maxUploadMb;

    @Option(
            names = "--temp-dir",
            paramLabel = "DIR",
            description = "Keep nothing after the server stops, as --temporary, and put the temporary folder for"
                    + " uploads and results here (default: the system's temporary folder); it needs room for the"
                    + " uploaded scans.")
    Path tempDir;

    @Option(
            names = "--workspace",
            paramLabel = "DIR",
            description = "Folder where cases and runs are kept, so that they are listed again after a restart"
                    + " (default: ~/.calvaria/workspace).")
    Path workspace;

    @Option(
            names = "--temporary",
            description = "Keep nothing: uploads and results live in a temporary folder (see --temp-dir) removed"
                    + " when the server stops.")
    boolean temporary;

    @Option(
            names = "--model",
            paramLabel = "M",
            description = "Shape-completion model for the design pipeline (default: the built-in one).")
    Path model;

    @Override
    public void run() {
        if (maxUploadMb <= 0 || maxUploadMb > 1L << 30) {
            throw badOption("--max-upload-mb must be between 1 and " + (1L << 30) + ", got " + maxUploadMb);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw badOption("--bind " + bind + " is not an address of this computer; use an IP address"
                    + " such as 127.0.0.1 or 0.0.0.0");
        }
        WebServer.Options options = WebServer.Options.defaults()
                .withBindAddress(address)
                .withPort(port)
                .withMaxUploadBytes(maxUploadMb << 20)
                .withTempParent(tempDir);
        if (temporary && workspace != null) {
            throw badOption("--temporary and --workspace exclude each other; choose one");
        }
        if (tempDir != null && workspace != null) {
            throw badOption("--temp-dir (a temporary folder, removed when the server stops) and --workspace"
                    + " (kept) exclude each other; choose one");
        }
        if (!temporary && tempDir == null) {
            options = options.withWorkspace(
                    workspace != null ? workspace : Path.of(System.getProperty("user.home"), ".calvaria", "workspace"));
        }
        DesignService service = designService(model);
        WebServer server = new WebServer(service, options).start();
        if (!address.isLoopbackAddress()) {
            PrintWriter err = err();
            err.println("warning: listening on " + bind + ": anyone who can reach this computer on port "
                    + server.port() + " can upload scans and download results; there is no login");
        }
        out().println("Calvaria is running at " + server.url() + "  (Ctrl-C to stop)"
                + (temporary ? "" : "; workspace " + server.workFolder()));
        out().flush();
        try {
            server.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
        }
    }

    /** The real design pipeline, with the bundled model or the one given. */
    static DesignService designService(Path model) {
        org.calvaria.complete.CompletionModel m = org.calvaria.complete.CompletionModel.open(model);
        return new org.calvaria.web.PipelineDesignService(
                m, model != null ? model.getFileName().toString() : "bundled default model");
    }
}
