package org.calvaria.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.calvaria.CalvariaException;

/**
 * Unpacks a zipped DICOM folder safely. Entry names are never used as paths (files get generated names in one flat
 * folder, so no "zip slip" is possible); the number of files and the bytes actually inflated are both limited, the
 * latter relative to the zip's own size, so a zip bomb stops early and what it wrote is deleted. The flat folder suits the DICOM reader, which finds the series by content.
 */
final class DicomZip {
    /** A CT series has hundreds to a few thousand slices. */
    static final int MAX_FILES = 20_000;
    /** CT slices deflate about 2-4 times; a zip that unpacks to more than this many times its size is refused. */
    static final long MAX_RATIO = 20;
    /** Small zips may always unpack to this much. */
    static final long MIN_UNPACK_BYTES = 64L << 20;

    private DicomZip() {}

    static boolean looksLikeZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] h = in.readNBytes(4);
            return h.length == 4 && h[0] == 'P' && h[1] == 'K' && (h[2] == 3 || h[2] == 5) && (h[3] == 4 || h[3] == 6);
        }
    }

    /**
     * How much a zip of {@code zipBytes} may unpack to: {@link #MAX_RATIO} times its own size (at least
     * {@link #MIN_UNPACK_BYTES}), and never more than twice the upload limit.
     */
    static Limit unpackLimit(long zipBytes, long maxUploadBytes) {
        long cap = 2 * maxUploadBytes;
        long byRatio = Math.max(MIN_UNPACK_BYTES, MAX_RATIO * zipBytes);
        if (byRatio < cap) {
            return new Limit(
                    byRatio,
                    MAX_RATIO + " times its own size; CT slices never compress that well, so this"
                            + " looks like a zip bomb");
        }
        return new Limit(cap, null);
    }

    /** A limit on the bytes a zip may unpack to, and why it is that (null: no more than the message says). */
    record Limit(long bytes, String why) {}

    /** {@link #extract(Path, Path, Limit)} with a plain limit. */
    static int extract(Path zip, Path folder, long maxTotalBytes) {
        return extract(zip, folder, new Limit(maxTotalBytes, null));
    }

    /**
     * Extracts the regular files of {@code zip} into {@code folder} (which must exist) and returns how many. The
     * entry count and the sizes the zip declares are checked before anything is written; the bytes actually inflated
     * are counted while writing (declared sizes can lie). When the zip is refused, every file it wrote is deleted.
     *
     * @throws CalvariaException when the zip is damaged, encrypted, holds too many files or unpacks past the limit
     */
    static int extract(Path zip, Path folder, Limit limit) {
        return extract(zip, folder, limit, new java.util.HashMap<>());
    }

    /**
     * As {@link #extract(Path, Path, Limit)}, and fills {@code names} with each generated file name and the entry's
     * name in the zip (for messages that name the user's files, and to match a detached NRRD header to its data
     * file by comparing names; the entry's name is still never part of a path).
     */
    static int extract(Path zip, Path folder, Limit limit, java.util.Map<String, String> names) {
        List<Path> written = new ArrayList<>();
        boolean ok = false;
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            List<ZipEntry> files = new ArrayList<>();
            long declared = 0;
            Enumeration<? extends ZipEntry> entries = zf.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory() || isJunk(e.getName())) continue;
                files.add(e);
                if (files.size() > MAX_FILES) {
                    throw new CalvariaException("the zip holds more than " + MAX_FILES + " files; zip only the"
                            + " folder of one CT series");
                }
                if (e.getSize() > 0) declared += e.getSize();
                if (declared > limit.bytes()) throw tooLarge(limit);
            }
            long total = 0;
            byte[] buffer = new byte[1 << 16];
            for (ZipEntry e : files) {
                // Generated names only: the entry's name is never part of a path. The DICOM extension is kept only
                // where the user's file had one, so the reader tells a damaged slice from a stray file as it does
                // in a folder on disk.
                String last = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                boolean dicomName = org.calvaria.io.DicomSeriesReader.namedLikeDicom(last);
                Path target = folder.resolve(
                        String.format(Locale.ROOT, "f%06d", written.size() + 1) + (dicomName ? ".dcm" : ""));
                written.add(target);
                names.put(target.getFileName().toString(), e.getName());
                // ZipFile does not check an entry's CRC-32: compute it while copying and compare at the end, so a
                // damaged entry (a flipped bit in stored data, or deflate data that still decodes) is refused.
                CRC32 crc = new CRC32();
                long size = 0;
                try (InputStream in = zf.getInputStream(e);
                        OutputStream out = Files.newOutputStream(
                                target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        total += n;
                        if (total > limit.bytes()) throw tooLarge(limit);
                        size += n;
                        crc.update(buffer, 0, n);
                        out.write(buffer, 0, n);
                    }
                }
                if ((e.getSize() >= 0 && e.getSize() != size) || (e.getCrc() >= 0 && e.getCrc() != crc.getValue())) {
                    throw new CalvariaException("the zip file is damaged: entry " + written.size() + " ("
                            + shortName(e.getName()) + ") fails its "
                            + (e.getSize() >= 0 && e.getSize() != size ? "length" : "CRC-32")
                            + " check; zip the DICOM folder again");
                }
            }
            if (files.isEmpty()) {
                throw new CalvariaException("the zip file holds no files; zip the folder of one CT series");
            }
            ok = true;
            return files.size();
        } catch (ZipException e) {
            throw new CalvariaException(
                    "the zip file is damaged or uses a feature that cannot be read (" + e.getMessage()
                            + "); zip the DICOM folder again without encryption",
                    e);
        } catch (java.io.EOFException e) {
            throw new CalvariaException(
                    "the zip file is damaged: its data ends too early; zip the DICOM folder again", e);
        } catch (IOException e) {
            throw new CalvariaException("cannot unpack the zip file: " + Folders.reason(e), e);
        } finally {
            if (!ok) {
                for (Path p : written) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // the caller removes the whole folder too
                    }
                }
            }
        }
    }

    private static CalvariaException tooLarge(Limit limit) {
        return new CalvariaException("the zip unpacks to more than " + Uploads.describeBytes(limit.bytes())
                + (limit.why() == null ? "" : " (" + limit.why() + ")") + "; zip only the folder of one CT series");
    }

    /** The entry's base name, at most 100 characters, for messages. */
    private static String shortName(String name) {
        String base = name.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1).replaceAll("\\p{Cntrl}", "?");
        return base.length() > 100 ? base.substring(0, 100) + "..." : base;
    }

    /** Files that archivers add beside the real content (macOS resource forks, Finder and Windows metadata). */
    private static boolean isJunk(String name) {
        String n = name.replace('\\', '/');
        String base = n.substring(n.lastIndexOf('/') + 1);
        return n.startsWith("__MACOSX/")
                || n.contains("/__MACOSX/")
                || base.startsWith(".")
                || base.equalsIgnoreCase("Thumbs.db")
                || base.equalsIgnoreCase("desktop.ini");
    }
}
