package org.calvaria.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The case store's small helpers: ids, upload names, messages, and removing folders. */
final class CaseStoreSupport {
    private CaseStoreSupport() {}

    static final Logger LOG = LoggerFactory.getLogger(CaseStore.class);
    static final SecureRandom RANDOM = new SecureRandom();

    static String newId(String prefix, AtomicInteger counter) {
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        // The counter keeps ids readable, the random part keeps a stale page from meeting a new server's case.
        return prefix + counter.incrementAndGet() + "-" + HexFormat.of().formatHex(r);
    }

    /** The base name of what the browser sent, without control characters, at most 120 characters. */
    static String cleanName(String raw) {
        if (raw == null) return "upload";
        String s = raw.replace('\\', '/');
        s = s.substring(s.lastIndexOf('/') + 1);
        s = s.replaceAll("\\p{Cntrl}", "").strip();
        if (s.length() > 120) s = s.substring(0, 120);
        return s.isEmpty() || s.equals(".") || s.equals("..") ? "upload" : s;
    }

    /** Messages name files by their temporary paths; the user knows them by the name they chose. */
    static String humanise(String message, String name, Path folder) {
        if (message == null) return "unknown problem";
        String m = message;
        if (folder != null) {
            String dicom = folder.resolve("input").resolve("dicom").toString();
            m = m.replace(dicom + "/", "").replace(dicom, "the zip's files");
            String inputs = folder.resolve("input").toString();
            m = m.replaceAll(
                    java.util.regex.Pattern.quote(inputs) + "/(input\\.[a-z.]+|upload\\.bin)",
                    java.util.regex.Matcher.quoteReplacement("'" + name + "'"));
            m = m.replace(folder.toString(), "the upload");
        }
        return m.replaceAll("/[^\\s'\"]*calvaria-serve-[^\\s'\"]*", "the upload");
    }

    static void deleteRecursively(Path folder) {
        if (folder == null || !Files.exists(folder)) return;
        try (Stream<Path> s = Files.walk(folder)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot remove temporary folder {}: {}", folder, e.getMessage());
        }
    }
}
