package org.calvaria.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cases opened and the design jobs run since the server started, with their files under one private temporary
 * folder. Every name on disk is generated here; nothing the user sent is ever used as a path.
 *
 * <p>Uploads are opened on one thread and designs run on another, each with a bounded queue: a file that takes long
 * to open or a design that fails or hangs can delay the work queued behind it on its own thread, never the other
 * thread or the web server's answers; a full queue is answered with 503 at once, and a design's place in the queue
 * is given back however it ends.
 */
final class CaseStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaseStore.class);

    /** Designs waiting or running at most; one more is refused until one ends (done or failed). */
    static final int MAX_PENDING_DESIGNS = 10;
    /** Uploads waiting to be opened (read and checked) at most, beside the one being opened. */
    static final int MAX_WAITING_OPENS = 8;

    private final Path root;
    private final DesignService service;
    private final CaseOpener opener;
    private final ExecutorService designThread;
    private final Semaphore designSlots = new Semaphore(MAX_PENDING_DESIGNS);
    /** Opening a large CT takes memory; one at a time keeps two big uploads from exhausting the heap together. */
    private final ThreadPoolExecutor openThread;

    private final Map<String, OpenedCase> cases = new ConcurrentHashMap<>();
    private final Map<String, DesignJob> jobs = new ConcurrentHashMap<>();
    private final AtomicInteger caseCounter = new AtomicInteger();
    private final AtomicInteger jobCounter = new AtomicInteger();

    /** A workspace kept after the server stops (cases and runs saved and loaded again), or a temporary folder. */
    private final boolean persistent;

    private final Map<String, java.util.concurrent.Future<?>> running = new ConcurrentHashMap<>();

    CaseStore(Path root, DesignService service, long maxUploadBytes) {
        this(root, service, maxUploadBytes, UploadCheck.defaultMemoryBudget(), false);
    }

    CaseStore(Path root, DesignService service, long maxUploadBytes, long memoryBudget) {
        this(root, service, maxUploadBytes, memoryBudget, false);
    }

    /**
     * @param persistent true for a workspace: the cases and runs saved in {@code root} are listed again, new ones are
     *                   saved, and nothing is deleted when the server stops
     */
    CaseStore(Path root, DesignService service, long maxUploadBytes, long memoryBudget, boolean persistent) {
        this.persistent = persistent;
        if (persistent) {
            Workspace.Loaded loaded = Workspace.load(root);
            for (OpenedCase c : loaded.cases()) cases.put(c.id, c);
            for (DesignJob j : loaded.jobs()) jobs.put(j.id, j);
            caseCounter.set(loaded.maxCase());
            jobCounter.set(loaded.maxJob());
            if (!loaded.cases().isEmpty()) {
                LOG.info(
                        "workspace {}: {} cases and {} runs listed again",
                        root,
                        loaded.cases().size(),
                        loaded.jobs().size());
            }
        }
        this.root = root;
        this.service = service;
        this.opener = new CaseOpener(maxUploadBytes, memoryBudget);
        // One design at a time: each uses the machine's cores and memory fully; later ones wait in the queue, whose
        // length designSlots bounds.
        this.designThread = Executors.newSingleThreadExecutor(daemon("calvaria-design"));
        this.openThread = new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_WAITING_OPENS), daemon("calvaria-open"));
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    Path root() {
        return root;
    }

    DesignService service() {
        return service;
    }

    List<OpenedCase> cases() {
        List<OpenedCase> list = new ArrayList<>(cases.values());
        list.sort(Comparator.comparing(c -> c.openedAt));
        return list;
    }

    OpenedCase findCase(String id) {
        OpenedCase c = cases.get(id);
        if (c == null)
            throw HttpError.notFound(
                    "no case '" + id + "' on this server (it may have been restarted);" + " open the skull again");
        return c;
    }

    DesignJob findJob(String id) {
        DesignJob j = jobs.get(id);
        if (j == null)
            throw HttpError.notFound("no design job '" + id + "' on this server (it may have been" + " restarted)");
        return j;
    }

    /** An upload being received: its case id, the name the user gave it, its private folder and file. */
    record Upload(String id, String name, Path folder, Path file) {}

    /** Makes the folder for a new upload; the body is then written to {@link Upload#file()}. */
    Upload startUpload(String fileName) {
        String id = CaseStoreSupport.newId("c", caseCounter);
        Path folder = root.resolve("cases").resolve(id);
        try {
            Files.createDirectories(folder.resolve("input"));
            Files.createDirectories(folder.resolve("view"));
        } catch (IOException e) {
            LOG.warn("cannot make the folder for an upload in {}: {}", root, Folders.reason(e));
            deleteRecursively(folder);
            throw Folders.cannotWrite(e);
        }
        return new Upload(
                id, cleanName(fileName), folder, folder.resolve("input").resolve("upload.bin"));
    }

    /** Removes an upload that will not be opened (refused, cut off, or failed). */
    void discard(Upload u) {
        deleteRecursively(u.folder());
    }

    /**
     * Reads a received upload to check it and prepares the file the viewer shows, on the one opening thread; the
     * future fails with an {@link HttpError} for the user (the upload is then removed).
     */
    CompletableFuture<OpenedCase> open(Upload u, long bytes) {
        CompletableFuture<OpenedCase> result = new CompletableFuture<>();
        try {
            openThread.execute(() -> {
                try {
                    result.complete(openNow(u, bytes));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            discard(u);
            result.completeExceptionally(new HttpError(
                    503, "the server is busy opening " + MAX_WAITING_OPENS + " other files; try again in a minute"));
        }
        return result;
    }

    private OpenedCase openNow(Upload u, long bytes) throws IOException {
        String name = u.name();
        Path folder = u.folder();
        boolean ok = false;
        try {
            if (bytes == 0) throw HttpError.badRequest("the request holds no file; choose a skull file to open");
            OpenedCase c = opener.identifyAndPrepare(
                    u.id(), name, u.file(), bytes, folder.resolve("input"), folder.resolve("view"));
            if (persistent) Workspace.saveCase(c);
            cases.put(u.id(), c);
            ok = true;
            LOG.info("opened case {} '{}': {}", u.id(), name, c.format);
            return c;
        } catch (CalvariaException e) {
            throw new HttpError(422, opener.userNames(humanise(e.getMessage(), name, folder), u.id()));
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new HttpError(
                    422,
                    "cannot read '" + name + "': " + opener.userNames(humanise(e.getMessage(), name, folder), u.id()));
        } catch (HttpError e) {
            throw new HttpError(e.status, opener.userNames(e.getMessage(), u.id()));
        } catch (OutOfMemoryError e) {
            throw new HttpError(
                    500,
                    "not enough memory to open '" + name + "'; restart the server with more"
                            + " (for example JAVA_OPTS=-Xmx16g) or crop the scan");
        } catch (java.nio.file.FileSystemException e) {
            LOG.warn("cannot write the files of case {} in {}: {}", u.id(), folder, Folders.reason(e));
            throw Folders.cannotWrite(e);
        } finally {
            if (!ok) {
                deleteRecursively(folder);
                opener.forget(u.id());
            }
        }
    }

    /** Queues a design of {@code c} and returns its job at once; 503 when {@link #MAX_PENDING_DESIGNS} wait or run. */
    DesignJob startDesign(OpenedCase c, DesignRequest request) {
        if (!designSlots.tryAcquire()) {
            throw new HttpError(
                    503,
                    MAX_PENDING_DESIGNS + " designs are already waiting or running; wait for one to"
                            + " finish, then try again");
        }
        boolean queued = false;
        try {
            String id = CaseStoreSupport.newId("j", jobCounter);
            Path out = root.resolve("jobs").resolve(id);
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                LOG.warn("cannot make the folder of design {} in {}: {}", id, root, Folders.reason(e));
                throw Folders.cannotWrite(e);
            }
            DesignJob job = new DesignJob(id, c, request, out);
            if (persistent) Workspace.saveJob(job);
            running.put(id, designThread.submit(() -> {
                try {
                    run(job);
                } finally {
                    running.remove(job.id);
                    designSlots.release(); // whatever the outcome, the place in the queue is free again
                    if (persistent) Workspace.saveJob(job);
                    if (job.isCancelled()) deleteOutputsOf(job);
                }
            }));
            queued = true;
            jobs.put(id, job);
            c.jobs.add(job);
            return job;
        } catch (RejectedExecutionException e) {
            throw new HttpError(503, "the server is stopping");
        } finally {
            if (!queued) designSlots.release();
        }
    }

    /**
     * Cancels a queued or running design: a queued one never starts; a running one is interrupted and stops at the
     * start of its next stage at the latest. Its files are removed. Answers false when it had already ended.
     */
    boolean cancel(DesignJob job) {
        if (!job.cancel()) return false;
        java.util.concurrent.Future<?> f = running.get(job.id);
        if (f != null) f.cancel(true);
        if (persistent) Workspace.saveJob(job);
        LOG.info("design {} of case {} cancelled", job.id, job.forCase.id);
        return true;
    }

    /** Removes a cancelled run's output files (its record stays, saying it was cancelled). */
    private void deleteOutputsOf(DesignJob job) {
        try (Stream<Path> s = Files.list(job.outputFolder)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals(Workspace.JOB_RECORD)) deleteRecursively(p);
            }
        } catch (IOException e) {
            LOG.debug("cannot clear the folder of cancelled design {}: {}", job.id, e.toString());
        }
    }

    private void run(DesignJob job) {
        if (!job.started()) return; // cancelled while it waited
        if (persistent) Workspace.saveJob(job);
        long t0 = System.nanoTime();
        String name = job.forCase.name;
        try {
            DesignOutcome outcome = service.design(job.forCase.input, job.outputFolder, job.request, job::stage);
            if (outcome == null) throw new IllegalStateException("the design service returned no result");
            requireFile(outcome.implantStl(), "implant STL");
            requireFile(outcome.implantNrrd(), "implant NRRD");
            requireFile(outcome.reportJson(), "report JSON");
            if (outcome.completedSkullNrrd() != null) requireFile(outcome.completedSkullNrrd(), "completed skull");
            if (outcome.previewPng() != null) requireFile(outcome.previewPng(), "preview picture");
            try {
                ViewFiles.prepareRun(outcome, job.outputFolder);
            } catch (Exception | OutOfMemoryError e) {
                // The design stands; the page then shows the implant from its volume instead.
                LOG.warn("design {}: cannot make the viewer's meshes: {}", job.id, e.toString());
            }
            job.succeeded(outcome);
            LOG.info(
                    "design {} of case {} done in {} s",
                    job.id,
                    job.forCase.id,
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
        } catch (DesignJob.Cancelled e) {
            LOG.info("design {} stopped: cancelled", job.id);
        } catch (CalvariaException e) {
            job.failed(opener.userNames(humanise(e.getMessage(), name, job.forCase.folder), job.forCase.id));
        } catch (InterruptedException e) {
            if (job.isCancelled()) {
                Thread.interrupted(); // the interrupt was the cancel; the next design must not see it
                return;
            }
            job.failed("stopped: the server is shutting down");
            Thread.currentThread().interrupt();
        } catch (OutOfMemoryError e) {
            job.failed("not enough memory for this design; restart the server with more (JAVA_OPTS=-Xmx16g)");
        } catch (Exception | Error e) {
            if (job.isCancelled()) {
                Thread.interrupted();
                LOG.info("design {} stopped: cancelled ({})", job.id, e.toString());
                return;
            }
            LOG.warn("design {} of case {} failed", job.id, job.forCase.id, e);
            job.failed("the design failed (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + humanise(e.getMessage(), name, job.forCase.folder))
                    + "); the server's log has the details");
        }
    }

    private static void requireFile(Path p, String what) {
        if (p == null || !Files.isRegularFile(p)) {
            throw new IllegalStateException("the design service did not write the " + what);
        }
    }

    /** Stops running designs and removes every file this store made. */
    @Override
    public void close() {
        openThread.shutdownNow();
        designThread.shutdownNow();
        try {
            if (!designThread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("a design is still running after 10 s; removing its files anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!persistent) deleteRecursively(root);
    }

    // ------------------------------------------------------------------ helpers

    /** The base name of what the browser sent, without control characters, at most 120 characters. */
    static String cleanName(String raw) {
        return CaseStoreSupport.cleanName(raw);
    }

    /** Messages name files by their temporary paths; the user knows them by the name they chose. */
    static String humanise(String message, String name, Path folder) {
        return CaseStoreSupport.humanise(message, name, folder);
    }

    static void deleteRecursively(Path folder) {
        CaseStoreSupport.deleteRecursively(folder);
    }
}
