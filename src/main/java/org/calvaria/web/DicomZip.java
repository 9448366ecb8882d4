package org.calvaria.web;

import org.calvaria.CalvariaException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Unpacks a zipped DICOM folder safely. Entry names are never used as paths (files get generated names in one flat
 * folder, so no "zip slip" is possible); the number of files and the bytes actually inflated are both limited, so a
 * zip bomb stops early. The flat folder suits the DICOM reader, which finds the series by content.
 */
final class DicomZip {
    /** A CT series has hundreds to a few thousand slices. */
    static final int MAX_FILES = 20_000;

    private DicomZip() {}

    static boolean looksLikeZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] h = in.readNBytes(4);
            return h.length == 4 && h[0] == 'P' && h[1] == 'K' && (h[2] == 3 || h[2] == 5) && (h[3] == 4 || h[3] == 6);
        }
    }

    /**
     * Extracts the regular files of {@code zip} into {@code folder} (which must exist) and returns how many.
     *
     * @throws CalvariaException when the zip is damaged, encrypted, holds too many files or inflates past
     *                           {@code maxTotalBytes}
     */
    static int extract(Path zip, Path folder, long maxTotalBytes) {
        int count = 0;
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = zf.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory() || isJunk(e.getName())) continue;
                if (++count > MAX_FILES) {
                    throw new CalvariaException("the zip holds more than " + MAX_FILES + " files; zip only the"
                            + " folder of one CT series");
                }
                Path target = folder.resolve(String.format(Locale.ROOT, "f%06d.dcm", count));
                // ZipFile does not check an entry's CRC-32: compute it while copying and compare at the end, so a
                // damaged entry (a flipped bit in stored data, or deflate data that still decodes) is refused.
                CRC32 crc = new CRC32();
                long size = 0;
                try (InputStream in = zf.getInputStream(e); OutputStream out = Files.newOutputStream(target)) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        total += n;
                        size += n;
                        if (total > maxTotalBytes) {
                            throw new CalvariaException("the zip unpacks to more than "
                                    + Uploads.describeBytes(maxTotalBytes) + "; zip only the folder of one CT series");
                        }
                        crc.update(buffer, 0, n);
                        out.write(buffer, 0, n);
                    }
                }
                if ((e.getSize() >= 0 && e.getSize() != size) || (e.getCrc() >= 0 && e.getCrc() != crc.getValue())) {
                    throw new CalvariaException("the zip file is damaged: entry " + count + " ("
                            + shortName(e.getName()) + ") fails its " + (e.getSize() >= 0 && e.getSize() != size
                            ? "length" : "CRC-32") + " check; zip the DICOM folder again");
                }
            }
        } catch (ZipException e) {
            throw new CalvariaException("the zip file is damaged or uses a feature that cannot be read ("
                    + e.getMessage() + "); zip the DICOM folder again without encryption", e);
        } catch (IOException e) {
            throw new CalvariaException("cannot unpack the zip file: " + e.getMessage(), e);
        }
        if (count == 0) throw new CalvariaException("the zip file holds no files; zip the folder of one CT series");
        return count;
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
        return n.startsWith("__MACOSX/") || n.contains("/__MACOSX/") || base.startsWith(".")
                || base.equalsIgnoreCase("Thumbs.db") || base.equalsIgnoreCase("desktop.ini");
    }
}
