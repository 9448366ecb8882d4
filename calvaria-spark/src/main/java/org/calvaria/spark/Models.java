package org.calvaria.spark;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.calvaria.complete.CompletionModel;
import org.calvaria.complete.ModelFile;

/**
 * The completion models of this JVM (an executor, or the driver in local mode). The model file is parsed once per
 * JVM; a TensorFlow session is made for each task that runs at the same time (a session's {@code predict} is
 * synchronised), with the given number of threads, and kept for the next task. Nothing is loaded per case.
 */
public final class Models {
    private static final Map<String, ModelFile> FILES = new ConcurrentHashMap<>();
    private static final Map<String, ConcurrentLinkedDeque<CompletionModel>> IDLE = new ConcurrentHashMap<>();
    private static final Map<String, Integer> CREATED = new ConcurrentHashMap<>();

    private Models() {}

    /** A model lent to one task; give it back with {@link Lease#close}. {@code bytes} null = the bundled model. */
    public static Lease borrow(byte[] bytes, int threads) {
        String key = key(bytes) + "/" + threads;
        ModelFile file = FILES.computeIfAbsent(
                key(bytes),
                k -> bytes == null
                        ? CompletionModel.defaultModelFile()
                        : ModelFile.read(bytes, "model sent to this executor"));
        CompletionModel m =
                IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).pollFirst();
        if (m == null) {
            m = CompletionModel.load(file, threads);
            CREATED.merge(key, 1, Integer::sum);
        }
        return new Lease(key, m);
    }

    /** How many sessions this JVM made for the model (for tests: at most the tasks run at once). */
    public static int sessionsCreated(byte[] bytes, int threads) {
        return CREATED.getOrDefault(key(bytes) + "/" + threads, 0);
    }

    /** How many model files this JVM parsed. */
    public static int filesParsed() {
        return FILES.size();
    }

    public record Lease(String key, CompletionModel model) implements AutoCloseable {
        @Override
        public void close() {
            IDLE.get(key).addFirst(model);
        }
    }

    static String key(byte[] bytes) {
        if (bytes == null) return "bundled";
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
