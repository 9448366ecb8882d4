package org.calvaria.web;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts the web app for the browser test ({@code src/test/browser/run.sh}): with {@code --real} the real design
 * pipeline and bundled model, otherwise {@link FakeDesignService}; {@code --also-fake} starts a second server with the
 * fake (whose reports name holes, unlike the bundled model's) and prints {@code CALVARIA_TEST_FAKE_URL=http://...}.
 * Writes the test skull first, then prints one line {@code CALVARIA_TEST_SERVER_URL=http://...} and serves until
 * killed (its shutdown hook removes the temporary files).
 *
 * <p>Arguments: {@code --fixtures DIR} (where to write defective-skull.nrrd, side-hole-skull.nrrd, intact-skull.nrrd and skull-surface.stl, a
 * sphere standing in for a skull surface mesh), {@code --port N} (default 0: any free
 * port), {@code --max-upload-mb N} (default 1024), {@code --stage-delay-ms N} (default 150), {@code --workspace DIR}
 * (keep the first server's cases and runs there, as {@code serve --workspace} does).
 */
public final class TestServerMain {
    private TestServerMain() {}

    public static void main(String[] args) throws Exception {
        Path fixtures = null;
        int port = 0;
        long maxUploadMb = 1024;
        long delay = 150;
        boolean real = false;
        boolean alsoFake = false;
        Path workspace = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--fixtures" -> fixtures = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--max-upload-mb" -> maxUploadMb = Long.parseLong(args[++i]);
                case "--stage-delay-ms" -> delay = Long.parseLong(args[++i]);
                case "--real" -> real = true;
                case "--also-fake" -> alsoFake = true;
                case "--workspace" -> workspace = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (fixtures != null) {
            Files.createDirectories(fixtures);
            DefectiveSkull.write(1.5, fixtures.resolve("defective-skull.nrrd"));
            DefectiveSkull.writeSideHole(1.5, fixtures.resolve("side-hole-skull.nrrd"));
            DefectiveSkull.writeIntact(1.5, fixtures.resolve("intact-skull.nrrd"));
            TestStl.writeSphere(fixtures.resolve("skull-surface.stl"), new double[3], 80, 24);
        }
        DesignService service = real
                ? new PipelineDesignService(
                        org.calvaria.complete.CompletionModel.loadDefault(), "bundled default model")
                : new FakeDesignService(delay);
        WebServer server = new WebServer(
                        service,
                        WebServer.Options.defaults()
                                .withBindAddress(InetAddress.getLoopbackAddress())
                                .withPort(port)
                                .withMaxUploadBytes(maxUploadMb << 20)
                                .withWorkspace(workspace))
                .start();
        if (alsoFake) {
            // A second server with the fake pipeline, which finds holes: the page's verdict and rim on known cases.
            WebServer fake = new WebServer(
                            new FakeDesignService(delay),
                            WebServer.Options.defaults()
                                    .withBindAddress(InetAddress.getLoopbackAddress())
                                    .withPort(0)
                                    .withMaxUploadBytes(maxUploadMb << 20))
                    .start();
            System.out.println("CALVARIA_TEST_FAKE_URL=" + fake.url());
        }
        System.out.println("CALVARIA_TEST_SERVER_URL=" + server.url());
        System.out.flush();
        server.awaitStop();
    }
}
