package org.calvaria.web;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.calvaria.Progress;
import org.calvaria.io.NrrdIO;
import org.calvaria.testing.FuzzChecks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of what the web app does with an upload: the size and header checks, zip unpacking (a
 * zipped DICOM folder) and the readers, as {@link CaseStore#open} runs them after a body has been received.
 * Properties: the case opens, or fails with an {@link HttpError} in the 4xx range whose message is one readable line
 * (never 500); a refused upload leaves no file behind; an opened NRRD case reads no data from outside its folder;
 * what all threads allocate stays within {@link #ALLOCATION} with a memory budget of {@link #BUDGET}; no input over
 * {@link FuzzChecks#MAX_MILLIS}.
 */
class UploadFuzzTest {
    static final long BUDGET = 64L << 20;
    static final long ALLOCATION = 6 * BUDGET + (64L << 20);
    /** Uploads larger than this are cut off before opening; fuzz inputs are far smaller. */
    static final long MAX_UPLOAD = 8L << 20;

    private static Path root;
    private static CaseStore store;

    @BeforeAll
    static void setUp() throws IOException {
        Progress.enabled(false);
        root = Files.createTempDirectory("calvaria-upload-fuzz");
        // Beside the cases: a header naming "../../../secret.raw" must never get its bytes into a case.
        byte[] secret = new byte[4096];
        Arrays.fill(secret, (byte) 0x5a);
        Files.write(root.resolve("secret.raw"), secret);
        store = new CaseStore(root, new FakeDesignService(0), MAX_UPLOAD, BUDGET);
    }

    @AfterAll
    static void tearDown() throws IOException {
        store.close();
        FuzzChecks.emptyFolder(root);
        Files.delete(root);
    }

    @FuzzTest(maxDuration = "30s")
    void upload(byte[] data) throws IOException {
        FuzzChecks.input(data);
        CaseStore.Upload u = store.startUpload("upload.bin");
        Files.write(u.file(), data);
        OpenedCase[] opened = new OpenedCase[1];
        Throwable failure = FuzzChecks.checkAllThreads(
                "upload",
                ALLOCATION,
                () -> {
                    try {
                        opened[0] = store.open(u, data.length).get(FuzzChecks.MAX_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof Exception x) throw x;
                        throw new AssertionError("opening an upload failed with " + e.getCause(), e.getCause());
                    } catch (TimeoutException e) {
                        throw new AssertionError("opening an upload of " + data.length + " bytes did not end in time");
                    }
                },
                HttpError.class);
        if (failure instanceof HttpError h) {
            FuzzChecks.requireReadable(
                    "upload refused with " + h.status,
                    h.getMessage(),
                    new String(data, java.nio.charset.StandardCharsets.ISO_8859_1));
            if (h.status < 400 || h.status >= 500) {
                throw new AssertionError("an upload was answered " + h.status + ": " + h.getMessage());
            }
            if (Files.exists(u.folder())) {
                throw new AssertionError("a refused upload left its folder behind: " + u.folder());
            }
        } else if (opened[0] != null) {
            OpenedCase c = opened[0];
            if (c.format.startsWith("NRRD")) {
                for (Path p : NrrdIO.dataFiles(c.input)) {
                    if (!FuzzChecks.inside(p, u.folder())) {
                        throw new AssertionError("an uploaded header was read with data from " + p);
                    }
                }
            }
            store.discard(u);
        }
    }
}
