package org.calvaria.io;

import static org.calvaria.io.NiftiHeader.ECODE_COMMENT;
import static org.calvaria.io.NiftiHeader.HEADER_SIZE;
import static org.calvaria.io.NiftiHeader.METADATA_MARKER;
import static org.calvaria.io.NiftiHeader.MIN_DATA_OFFSET;
import static org.calvaria.io.NiftiHeader.geometryOf;
import static org.calvaria.io.NiftiHeader.parseHeader;
import static org.calvaria.io.NiftiHeader.sizesOf;
import static org.calvaria.io.NiftiHeader.typeOf;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a {@code .nii} or {@code .nii.gz} volume: header, extensions (our metadata), voxels, scl_slope/scl_inter. */
final class NiftiReader {
    private static final Logger LOG = LoggerFactory.getLogger(NiftiIO.class);

    private NiftiReader() {}

    /** Reads a {@code .nii} or {@code .nii.gz} file (gzip recognised by content, not by name). */
    static Volume read(Path path) {
        if (Files.isDirectory(path)) throw new CalvariaException(path + " is a folder, not a NIfTI file");
        if (!Files.exists(path)) throw new CalvariaException(path + " does not exist");
        boolean gzip;
        long fileSize;
        try {
            fileSize = Files.size(path);
            try (InputStream in = Files.newInputStream(path)) {
                byte[] magic = in.readNBytes(2);
                gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        try (InputStream in = open(path, gzip)) {
            byte[] head = in.readNBytes(HEADER_SIZE);
            NiftiHeader h = parseHeader(head, path);
            int[] sizes = sizesOf(h, path);
            VoxelType type = typeOf(h, path);
            Geometry g = geometryOf(h, sizes, path);
            long voxOffset = dataOffset(h, path);
            long count = (long) sizes[0] * sizes[1] * sizes[2];
            long dataBytes = count * type.bytes();
            if (!gzip && fileSize != voxOffset + dataBytes) {
                throw new CalvariaException(path + ": header says " + sizes[0] + "x" + sizes[1] + "x" + sizes[2] + " "
                        + type.nrrdName() + " (" + dataBytes + " bytes from offset " + voxOffset + ") but the file has "
                        + fileSize + " bytes"
                        + (fileSize < voxOffset + dataBytes
                                ? "; the file is truncated or its" + " header is wrong"
                                : ", " + (fileSize - voxOffset - dataBytes) + " more than that; the"
                                        + " header's dim or datatype are wrong, re-export the file"));
            }
            if (gzip) {
                ReadLimits.requireCompressedLength(path, sizes, type.nrrdName(), voxOffset + dataBytes, fileSize);
            }
            boolean scaledToFloats = type.fitsShort()
                    && h.sclSlope != 0
                    && Float.isFinite(h.sclSlope)
                    && !(h.sclSlope == 1 && h.sclInter == 0);
            ReadLimits.requireMemory(
                    path,
                    sizes,
                    type.nrrdName(),
                    count * (type.fitsShort() ? 2 : 4) + (scaledToFloats ? 4 * count : 0));
            Map<String, String> metadata = readExtensions(in, h, voxOffset, path);
            VoxelCodec.Values values = VoxelCodec.readBinary(in, (int) count, type, h.order, path, !scales(h));
            if (gzip) {
                // Reading on to the end checks the gzip trailer (CRC-32 and length) of the whole stream.
                long extra = StrictGzipInputStream.readToEnd(in);
                if (extra > 0) {
                    throw new CalvariaException(path + ": the compressed data holds " + extra + " bytes more than the"
                            + " header's " + sizes[0] + "x" + sizes[1] + "x" + sizes[2] + " " + type.nrrdName()
                            + " voxels; the header's dim or datatype are wrong, re-export the file");
                }
            }
            Volume v = scaled(values, g, type, h, path);
            v.metadata().putAll(metadata);
            return v;
        } catch (StrictGzipInputStream.CorruptGzipException e) {
            throw ReadMessages.corrupt(path, e);
        } catch (EOFException e) {
            throw new CalvariaException(path + ": data ends early (truncated file); re-export or re-download it");
        } catch (IOException e) {
            throw new CalvariaException("cannot read NIfTI " + path + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(Path path, boolean gzip) throws IOException {
        InputStream raw = Files.newInputStream(path);
        try {
            return gzip
                    ? new ReadAheadInputStream(new StrictGzipInputStream(raw))
                    : new BufferedInputStream(raw, 1 << 16);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static long dataOffset(NiftiHeader h, Path path) {
        float off = h.voxOffset;
        if (Float.isFinite(off) && off >= 0 && off < MIN_DATA_OFFSET) {
            // A single-file .nii keeps its data after the 348-byte header and the 4 extension bytes: a smaller offset
            // would put voxels inside the header, so the header is damaged (or belongs to a .hdr/.img pair).
            throw new CalvariaException(path + ": NIfTI vox_offset " + off + " is below 352, where the data of a"
                    + " single .nii file starts at the earliest; the header is damaged, re-export the file");
        }
        if (!Float.isFinite(off) || off < MIN_DATA_OFFSET || off != Math.rint(off)) {
            throw new CalvariaException(path + ": NIfTI vox_offset " + off + " is not a valid byte offset;"
                    + " the header is damaged, re-export the file");
        }
        return (long) off;
    }

    /**
     * Skips from the end of the header to the data start, reading extensions on the way; a Calvaria comment extension
     * gives back the metadata we wrote. Unknown extensions are skipped.
     */
    private static Map<String, String> readExtensions(InputStream in, NiftiHeader h, long voxOffset, Path path)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        long pos = HEADER_SIZE;
        byte[] extender = in.readNBytes(4);
        pos += extender.length;
        if (extender.length < 4) throw new EOFException();
        if (extender[0] != 0) {
            while (pos + 8 <= voxOffset) {
                byte[] eh = in.readNBytes(8);
                if (eh.length < 8) throw new EOFException();
                pos += 8;
                ByteBuffer b = ByteBuffer.wrap(eh).order(h.order);
                int esize = b.getInt(0);
                int ecode = b.getInt(4);
                if (esize < 8 || esize % 16 != 0 || pos - 8 + esize > voxOffset) {
                    LOG.warn(
                            "{}: NIfTI extension of size {} is malformed; ignoring the remaining extensions",
                            path,
                            esize);
                    break;
                }
                byte[] body = in.readNBytes(esize - 8);
                if (body.length < esize - 8) throw new EOFException();
                pos += body.length;
                if (ecode == ECODE_COMMENT) parseMetadata(body, meta);
            }
        }
        VoxelCodec.skipFully(in, voxOffset - pos);
        return meta;
    }

    private static void parseMetadata(byte[] body, Map<String, String> meta) {
        int end = 0;
        while (end < body.length && body[end] != 0) end++;
        String text = new String(body, 0, end, StandardCharsets.UTF_8);
        if (!text.startsWith(METADATA_MARKER.trim())) return;
        for (String line : text.split("\n")) {
            int kv = line.indexOf(":=");
            if (kv > 0) meta.put(unescape(line.substring(0, kv)), unescape(line.substring(kv + 2)));
        }
    }

    /** True when scl_slope/scl_inter change the stored values (slope != 0 and not the identity). */
    private static boolean scales(NiftiHeader h) {
        double slope = h.sclSlope, inter = h.sclInter;
        return slope != 0 && Double.isFinite(slope) && !(slope == 1 && inter == 0);
    }

    /** Applies scl_slope/scl_inter when they change values (see {@link #scales}); floats then. */
    private static Volume scaled(VoxelCodec.Values values, Geometry g, VoxelType type, NiftiHeader h, Path path) {
        double slope = h.sclSlope, inter = h.sclInter;
        if (!scales(h)) {
            if (slope == 0 && inter != 0 && Double.isFinite(inter)) {
                LOG.debug("{}: scl_slope is 0, so scl_inter {} is ignored (NIfTI rule)", path, inter);
            }
            return VoxelCodec.toVolume(values, g, type);
        }
        if (!Double.isFinite(inter)) inter = 0;
        int n = g.voxelCount();
        float[] out = values.floats() != null ? values.floats() : new float[n];
        if (values.shorts() != null) {
            short[] s = values.shorts();
            // Stored uint8 values came back as shorts 0..255, int8 as -128..127: both are the stored numbers.
            for (int i = 0; i < n; i++) out[i] = (float) (s[i] * slope + inter);
        } else {
            for (int i = 0; i < n; i++) out[i] = (float) (out[i] * slope + inter);
        }
        return new FloatVolume(g, out, VoxelType.FLOAT32);
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                sb.append(next == 'n' ? '\n' : next);
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
