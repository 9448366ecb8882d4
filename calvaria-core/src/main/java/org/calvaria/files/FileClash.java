package org.calvaria.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;

/**
 * Which files a run reads and writes, and whether any of them coincide. An input is expanded to every file it is
 * made of (a detached NRRD header's data file or files, a DICOM series' slices); an output to every file writing it
 * creates (a {@code .nhdr} header's data file). Paths are compared by real path (symbolic links, {@code ..} and
 * relative paths resolved; a file that does not exist yet by the real path of its nearest existing folder) and, for
 * existing files, by file identity (hard links).
 */
public final class FileClash {
    private FileClash() {}

    /**
     * True when the file starts with the 128-byte preamble and "DICM" (a DICOM Part-10 file). Its one home is here,
     * where a DICOM input is expanded to its series; the DICOM reader in {@code io} asks here too.
     */
    public static boolean isDicomFile(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(132);
            return head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        } catch (IOException e) {
            return false;
        }
    }

    /** Headers longer than this are not NRRD headers (the reader refuses them too). */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    /** A "data file: FORMAT MIN MAX STEP" pattern naming more files than this is not expanded further. */
    private static final int MAX_PATTERN_FILES = 100_000;

    /** One file of a run: the file, the argument it came from, and how it belongs to that argument. */
    private record Member(Path file, Path given, String role, int owner) {
        boolean isGiven() {
            return role == null;
        }
    }

    static void check(Collection<Path> inputs, Collection<Path> outputs) {
        Map<Object, Member> written = new HashMap<>();
        int owner = 0;
        for (Path o : outputs) {
            if (o == null) continue;
            for (Member m : membersOfOutput(o, owner++)) {
                for (Object k : keys(m)) {
                    Member other = written.putIfAbsent(k, m);
                    if (other == null || other.owner() == m.owner()) continue;
                    if (other.isGiven() && m.isGiven() && other.given().equals(m.given())) {
                        throw new CalvariaException(
                                "output " + m.given() + " is given twice; give each output its" + " own name");
                    }
                    throw new CalvariaException(describeOutput(other) + " and " + describeOutput(m)
                            + " are the same file; give each output its own name");
                }
            }
        }
        for (Path in : inputs) {
            if (in == null) continue;
            for (Member m : membersOfInput(in, -1)) {
                for (Object k : keys(m)) {
                    Member out = written.get(k);
                    if (out == null) continue;
                    if (out.isGiven() && m.isGiven()) {
                        throw new CalvariaException(
                                "output " + out.given() + " is the input file; choose another" + " output name");
                    }
                    throw new CalvariaException("output " + out.given() + " would "
                            + (out.isGiven() ? "overwrite " : "write its " + out.role() + " over ") + describeInput(m)
                            + "; choose another output name");
                }
            }
        }
    }

    private static String describeOutput(Member m) {
        return m.isGiven() ? "output " + m.given() : "the " + m.role() + " " + m.file() + " of output " + m.given();
    }

    private static String describeInput(Member m) {
        return m.isGiven() ? "the input file " + m.given() : m.file() + ", the " + m.role() + " of input " + m.given();
    }

    // ------------------------------------------------------------------------------------------------ expansion

    private static List<Member> membersOfOutput(Path out, int owner) {
        List<Member> l = new ArrayList<>();
        l.add(new Member(out, out, null, owner));
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".nhdr")) {
            // NrrdIO writes STEM.raw.gz (gzip) or STEM.raw (raw) beside the header; both are counted, so that neither
            // encoding can land on an input.
            String stem = name.substring(0, name.length() - 5);
            l.add(new Member(out.resolveSibling(stem + ".raw.gz"), out, "data file", owner));
            l.add(new Member(out.resolveSibling(stem + ".raw"), out, "data file", owner));
        }
        return l;
    }

    private static List<Member> membersOfInput(Path in, int owner) {
        List<Member> l = new ArrayList<>();
        l.add(new Member(in, in, null, owner));
        if (Files.isDirectory(in)) {
            for (Path f : dicomFilesIn(in)) l.add(new Member(f, in, "DICOM series file", owner));
        } else if (Files.isRegularFile(in)) {
            List<Path> data = nrrdDataFiles(in);
            if (data != null) {
                for (Path f : data) l.add(new Member(f, in, "data file", owner));
            } else if (isDicomFile(in) && in.toAbsolutePath().getParent() != null) {
                // one DICOM file stands for its whole series: every DICOM file in its folder is read
                for (Path f : dicomFilesIn(in.toAbsolutePath().getParent())) {
                    l.add(new Member(f, in, "DICOM series file", owner));
                }
            }
        }
        return l;
    }

    private static List<Path> dicomFilesIn(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).filter(FileClash::isDicomFile).toList();
        } catch (IOException | RuntimeException e) {
            return List.of(); // the reader reports an unreadable folder
        }
    }

    /**
     * The data files a detached NRRD header names ({@code data file: NAME}, {@code data file: LIST} followed by one
     * name a line, or {@code data file: FORMAT MIN MAX STEP [SUBDIM]}), resolved against the header's folder; empty
     * for an attached NRRD; null when {@code header} is not an NRRD file.
     */
    private static int blankLineOrEnd(String text) {
        int end = text.length();
        for (String blank : new String[] {"\n\n", "\n\r\n"}) {
            int at = text.indexOf(blank);
            if (at >= 0) end = Math.min(end, at);
        }
        return end;
    }

    static List<Path> nrrdDataFiles(Path header) {
        byte[] head;
        try (InputStream in = Files.newInputStream(header)) {
            head = in.readNBytes(MAX_HEADER_BYTES);
        } catch (IOException e) {
            return null; // the reader reports it
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("NRRD000")) return null;
        List<Path> files = new ArrayList<>();
        // An attached NRRD's header ends at its first blank line, and its data (up to a megabyte read here) follows:
        // no field naming a data file before that end, no data files, and the data is never split into lines.
        String fields = text.substring(0, blankLineOrEnd(text)).toLowerCase(Locale.ROOT);
        if (!fields.contains("data file") && !fields.contains("datafile")) return files;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) break; // end of header: an attached NRRD's data follows
            if (line.startsWith("#") || line.contains(":=")) continue;
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String field = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!field.equals("data file") && !field.equals("datafile")) continue;
            String value = line.substring(colon + 1).trim();
            String[] parts = value.split("\\s+");
            if (parts[0].equals("LIST")) {
                for (int j = i + 1; j < lines.length; j++) {
                    String f = lines[j].trim();
                    if (!f.isEmpty()) files.add(header.resolveSibling(f));
                }
            } else if (parts.length >= 4 && parts[0].contains("%")) {
                expandPattern(header, parts, files);
            } else {
                files.add(header.resolveSibling(value));
            }
            break;
        }
        return files;
    }

    private static void expandPattern(Path header, String[] parts, List<Path> files) {
        long min, max, step;
        try {
            min = Long.parseLong(parts[1]);
            max = Long.parseLong(parts[2]);
            step = Long.parseLong(parts[3]);
        } catch (NumberFormatException e) {
            return; // not a valid pattern; the reader refuses it
        }
        if (step == 0 || (max - min) / step < 0) return;
        long n = 0;
        for (long k = min; step > 0 ? k <= max : k >= max; k += step) {
            if (++n > MAX_PATTERN_FILES) return;
            try {
                files.add(header.resolveSibling(String.format(Locale.ROOT, parts[0], k)));
            } catch (IllegalFormatException | java.nio.file.InvalidPathException e) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ identity

    /** Keys under which two members are the same file: the real path, and for an existing file its identity. */
    private static List<Object> keys(Member m) {
        List<Object> k = new ArrayList<>(2);
        Path p = m.file().toAbsolutePath().normalize();
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (a.fileKey() != null) k.add(a.fileKey());
        } catch (IOException e) {
            // does not exist (yet): the path alone identifies it
        }
        k.add(realPath(p));
        return k;
    }

    /**
     * The real path of {@code p} (absolute, normalised); for a file that does not exist yet, the real path of its
     * nearest existing ancestor with the rest of the names appended.
     */
    static Path realPath(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && Files.exists(abs)) return abs.toRealPath();
        } catch (IOException e) {
            // fall through to the ancestor
        }
        Path ancestor = abs.getParent();
        Path rest = abs.getFileName();
        while (ancestor != null) {
            try {
                if (Files.exists(ancestor))
                    return ancestor.toRealPath().resolve(rest).normalize();
            } catch (IOException e) {
                // keep climbing
            }
            rest = ancestor.getFileName() == null
                    ? rest
                    : ancestor.getFileName().resolve(rest);
            ancestor = ancestor.getParent();
        }
        return abs;
    }
}
