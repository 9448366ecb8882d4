package org.calvaria.io;

import static org.calvaria.io.NrrdHeader.geometryOf;
import static org.calvaria.io.NrrdHeader.need;
import static org.calvaria.io.NrrdHeader.wholeNumber;
import static org.calvaria.io.ReadMessages.quote;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads an NRRD volume: the header, then raw, gzip or ASCII voxels from the file or its detached data file. */
final class NrrdReader {
    private static final Logger LOG = LoggerFactory.getLogger(NrrdIO.class);

    private NrrdReader() {}

    static Volume read(Path path) {
        if (Files.isDirectory(path)) throw new CalvariaException(path + " is a folder, not an NRRD file");
        try {
            byte[] headBytes = NrrdHeader.readHeaderBytes(path);
            NrrdHeader h = NrrdHeader.parseHeader(headBytes, path);
            return readData(path, h);
        } catch (IOException e) {
            throw new CalvariaException("cannot read NRRD " + path + ": " + e.getMessage(), e);
        }
    }

    private static Volume readData(Path path, NrrdHeader h) throws IOException {
        need(h, "dimension", path);
        long dim = wholeNumber(h, path, 0, "dimension");
        String[] sizeText = need(h, "sizes", path).trim().split("\\s+");
        if (dim != 3) {
            throw new CalvariaException(
                    path + ": NRRD has dimension " + dim + "; only 3-D scalar volumes are supported");
        }
        if (sizeText.length != 3) {
            throw new CalvariaException(path + ": NRRD 'sizes' " + quote(need(h, "sizes", path)) + " must give 3"
                    + " sizes for dimension 3; the header is damaged");
        }
        int[] sizes = new int[3];
        long count = 1;
        for (int i = 0; i < 3; i++) {
            try {
                sizes[i] = Integer.parseInt(sizeText[i]);
            } catch (NumberFormatException e) {
                throw new CalvariaException(path + ": NRRD sizes " + quote(need(h, "sizes", path)) + " must be whole"
                        + " numbers below 2^31; the header is damaged");
            }
            if (sizes[i] <= 0) throw new CalvariaException(path + ": NRRD size " + sizes[i] + " must be positive");
            count *= sizes[i];
        }
        if (count > 1_500_000_000L) {
            throw new CalvariaException(path + ": " + sizes[0] + "x" + sizes[1] + "x" + sizes[2]
                    + " voxels is too large (limit 1.5e9); crop the scan first");
        }
        String typeName = need(h, "type", path);
        VoxelType type = VoxelType.fromNrrd(typeName);
        if (type == null) {
            throw new CalvariaException(path + ": unsupported NRRD type " + quote(typeName)
                    + "; supported: int8 uint8 int16 uint16 int32 uint32 float double");
        }
        String enc = need(h, "encoding", path).trim().toLowerCase(Locale.ROOT);
        String endian = h.fields.getOrDefault("endian", "little").trim().toLowerCase(Locale.ROOT);
        ByteOrder order;
        switch (endian) {
            case "little":
                order = ByteOrder.LITTLE_ENDIAN;
                break;
            case "big":
                order = ByteOrder.BIG_ENDIAN;
                break;
            default:
                throw new CalvariaException(path + ": NRRD 'endian' must be little or big, got "
                        + quote(h.fields.get("endian")) + "; the header is damaged");
        }
        Geometry g = geometryOf(h, sizes, path);

        String dataFile = NrrdDataFiles.dataFileField(h);
        Path dataPath = path;
        if (dataFile != null) {
            List<Path> files = NrrdDataFiles.dataFiles(h, path);
            if (files.size() != 1) {
                throw new CalvariaException(path + ": multi-file NRRD data (" + files.size() + " data files) is not"
                        + " supported; join the files into one (for example with 3D Slicer or unu join)");
            }
            dataPath = files.get(0);
            if (!Files.isRegularFile(dataPath)) {
                throw new CalvariaException(
                        path + ": detached data file " + quote(dataFile) + " not found next to the header");
            }
        }
        long lineSkip = wholeNumber(h, path, 0, "line skip", "lineskip");
        long byteSkip = wholeNumber(h, path, 0, "byte skip", "byteskip");
        if (lineSkip < 0) {
            throw new CalvariaException(
                    path + ": 'line skip: " + lineSkip + "' must be 0 or more; the header is wrong");
        }
        if (byteSkip < -1 || (byteSkip == -1 && !enc.equals("raw"))) {
            throw new CalvariaException(path + ": 'byte skip: " + byteSkip + "' is not allowed"
                    + (byteSkip == -1
                            ? " with " + enc + " encoding (-1, 'data at the end of the file', works only for raw data)"
                            : "; it must be 0 or more, or -1 for raw data at the end of the file")
                    + "; the header is wrong");
        }
        long fileSize = Files.size(dataPath);
        long position = dataFile == null ? h.headerBytes : 0;
        long declared = count * type.bytes();
        // Every skipped line takes at least one byte: a line skip beyond the file's length is refused at once
        // instead of being counted out one read at a time.
        if (lineSkip > fileSize - position) {
            throw new CalvariaException(path + ": 'line skip: " + lineSkip + "' asks to skip more lines than the "
                    + Math.max(0, fileSize - position) + " bytes of data in " + dataPath.getFileName() + " can hold;"
                    + " the header is wrong");
        }
        // The last stream opened on the file (gzip: the one inflating on its own thread) closes all below it.
        InputStream in = new BufferedInputStream(Files.newInputStream(dataPath), 1 << 16);
        try {
            VoxelCodec.skipFully(in, position);
            for (long i = 0; i < lineSkip; i++) {
                int c;
                while ((c = in.read()) != -1 && c != '\n') position++;
                if (c == -1) {
                    throw new CalvariaException(path + ": 'line skip: " + lineSkip + "' asks to skip more lines than "
                            + dataPath.getFileName() + " has; the header is wrong");
                }
                position++;
            }
            long available = fileSize - position;
            switch (enc) {
                case "raw":
                    if (byteSkip == -1) {
                        // -1: the data is the last bytes of the file, whatever comes before it
                        ReadLimits.requireRawLength(path, sizes, type.nrrdName(), declared, available);
                        VoxelCodec.skipFully(in, available - declared);
                    } else {
                        ReadLimits.requireRawLength(path, sizes, type.nrrdName(), declared, available - byteSkip);
                        if (available - byteSkip > declared) {
                            throw new CalvariaException(String.format(
                                    Locale.ROOT,
                                    "%s: the file holds %d bytes of"
                                            + " data, %d more than its header's %s (%d bytes); the header's sizes or type are"
                                            + " wrong, or set 'byte skip: -1' if the data is the end of the file",
                                    path,
                                    available - byteSkip,
                                    available - byteSkip - declared,
                                    ReadLimits.describe(sizes, type.nrrdName()),
                                    declared));
                        }
                        VoxelCodec.skipFully(in, byteSkip);
                    }
                    break;
                case "gzip":
                case "gz":
                    ReadLimits.requireCompressedLength(
                            path, sizes, type.nrrdName(), declared + Math.max(0, byteSkip), available);
                    in = new ReadAheadInputStream(new StrictGzipInputStream(in));
                    break;
                case "ascii":
                case "text":
                case "txt":
                    // every value takes at least one character and a separator
                    if (available < 2 * count - 1) {
                        throw new CalvariaException(path + ": the file is too short for its declared size: "
                                + count + " ASCII values need at least " + (2 * count - 1) + " bytes, the file holds "
                                + Math.max(0, available) + "; the file is truncated or its header is wrong");
                    }
                    // the text, and one small String per value while it is parsed
                    ReadLimits.requireMemory(path, sizes, type.nrrdName(), 60 * count + 2 * available);
                    return toVolume(readAscii(in, (int) count, path), g, type, h);
                default:
                    throw new CalvariaException(
                            path + ": unsupported NRRD encoding " + quote(enc) + "; supported: raw, gzip, ascii");
            }
            ReadLimits.requireMemory(path, sizes, type.nrrdName(), count * (type.fitsShort() ? 2 : 4));
            if (!enc.equals("raw") && byteSkip > 0) VoxelCodec.skipFully(in, byteSkip);
            VoxelCodec.Values values = VoxelCodec.readBinary(in, (int) count, type, order, path, true);
            if (!enc.equals("raw")) {
                // Reading on to the end checks the gzip trailer (CRC-32 and length) of the whole stream.
                long extra = StrictGzipInputStream.readToEnd(in);
                if (extra > 0) {
                    throw new CalvariaException(path + ": the compressed data holds " + extra + " bytes more than"
                            + " the " + count + " " + type.nrrdName() + " voxels its header declares; the header's"
                            + " sizes or type are wrong, fix the header or re-export the file");
                }
            }
            return toVolume(values, g, type, h);
        } catch (StrictGzipInputStream.CorruptGzipException e) {
            throw ReadMessages.corrupt(dataPath, e);
        } catch (EOFException e) {
            throw new CalvariaException(path + ": data ends early (truncated file): expected " + count + " voxels of "
                    + type.nrrdName() + "; re-export or re-download it");
        } finally {
            in.close();
        }
    }

    private static VoxelCodec.Values readAscii(InputStream in, int count, Path path) throws IOException {
        String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        String[] parts = text.isEmpty() ? new String[0] : text.split("[\\s,]+");
        if (parts.length < count) {
            throw new CalvariaException(path + ": ASCII data has " + parts.length + " values, expected " + count);
        }
        float[] f = new float[count];
        boolean binary = true;
        for (int i = 0; i < count; i++) {
            try {
                f[i] = Float.parseFloat(parts[i]);
            } catch (NumberFormatException e) {
                throw new CalvariaException(path + ": ASCII value " + (i + 1) + ", " + quote(parts[i]) + ", is not a"
                        + " number; the data is damaged");
            }
            if (f[i] != 0 && f[i] != 1) binary = false;
        }
        return new VoxelCodec.Values(null, f, binary);
    }

    private static Volume toVolume(VoxelCodec.Values v, Geometry g, VoxelType type, NrrdHeader h) {
        if (h.noSpacing) {
            LOG.warn("{}: NRRD header has neither 'space directions' nor 'spacings'; assuming 1 mm voxels", h.path);
        }
        Volume out = VoxelCodec.toVolume(v, g, type);
        out.metadata().putAll(h.keyValues);
        return out;
    }
}
