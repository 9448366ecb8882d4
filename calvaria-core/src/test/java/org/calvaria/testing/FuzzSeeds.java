package org.calvaria.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.calvaria.Progress;
import org.calvaria.io.NiftiIO;
import org.calvaria.io.NrrdIO;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed corpora of the Jazzer fuzz tests under {@code src/test/resources/org/calvaria/.../*FuzzTestInputs/}
 * from small volumes and meshes made by the project's own writers, plus hand-made broken variants. The seeds are
 * committed; rerun this only to remake them:
 * {@code mvn -o test -Dtest=FuzzSeeds -Dcalvaria.writeFuzzSeeds=true}. Files Jazzer added to a corpus (crashes
 * turned regression inputs) are kept.
 */
@EnabledIfSystemProperty(named = "calvaria.writeFuzzSeeds", matches = "true")
class FuzzSeeds {
    private static final Path RES = Path.of("src/test/resources/org/calvaria");

    @Test
    void write() throws IOException {
        Progress.enabled(false);
        Path tmp = Files.createTempDirectory("calvaria-seeds");
        ShortVolume ct = new ShortVolume(
                new Geometry(5, 4, 3, new double[] {1, 2, 3}, new double[] {0.5, 0, 0, 0, 0.5, 0.1, 0, 0, 2}));
        for (int i = 0; i < ct.voxelCount(); i++) ct.set(i, i * 37 - 200);
        MaskVolume mask = new MaskVolume(Geometry.axisAligned(6, 6, 4, 1.5, 1.5, 2, new double[] {-4, -4, 0}));
        for (int i = 0; i < mask.voxelCount(); i++) mask.set(i, (i * 7) % 3 == 0 ? 1 : 0);

        // ---- NRRD, attached
        Path nrrd = RES.resolve("io/NrrdFuzzTestInputs/attached");
        Files.createDirectories(nrrd);
        byte[] ctRaw = nrrdBytes(tmp, ct, VoxelType.INT16, NrrdIO.Encoding.RAW, "a.nrrd");
        byte[] ctGz = nrrdBytes(tmp, ct, VoxelType.INT16, NrrdIO.Encoding.GZIP, "a.nrrd");
        byte[] maskGz = nrrdBytes(tmp, mask, VoxelType.UINT8, NrrdIO.Encoding.GZIP, "a.nrrd");
        byte[] ctFloat = nrrdBytes(tmp, ct, VoxelType.FLOAT32, NrrdIO.Encoding.RAW, "a.nrrd");
        byte[] ctDouble = nrrdBytes(tmp, ct, VoxelType.FLOAT64, NrrdIO.Encoding.GZIP, "a.nrrd");
        seed(nrrd, "ct-int16-raw", ctRaw);
        seed(nrrd, "ct-int16-gzip", ctGz);
        seed(nrrd, "mask-uint8-gzip", maskGz);
        seed(nrrd, "ct-float-raw", ctFloat);
        seed(nrrd, "ct-double-gzip", ctDouble);
        seed(nrrd, "ct-big-endian", replace(ctRaw, "endian: little", "endian: big"));
        seed(nrrd, "ct-ascii", replaceData(ctRaw, "encoding: raw", "encoding: ascii", asciiValues(ct)));
        seed(nrrd, "truncated-raw", Arrays.copyOf(ctRaw, ctRaw.length - 7));
        seed(nrrd, "truncated-gzip", Arrays.copyOf(ctGz, ctGz.length - 5));
        seed(nrrd, "gzip-bit-flip", flip(ctGz, ctGz.length - 12));
        seed(nrrd, "header-only", Arrays.copyOf(ctRaw, headerEnd(ctRaw)));
        seed(
                nrrd,
                "huge-double",
                ascii("NRRD0004\ntype: double\ndimension: 3\nsizes: 1000 1000 1400\n"
                        + "encoding: raw\nendian: little\n\n" + "x".repeat(40)));
        seed(nrrd, "huge-gzip", replace(ctGz, "sizes: 5 4 3", "sizes: 1024 1024 600"));
        seed(nrrd, "line-skip", replace(ctRaw, "encoding: raw", "line skip: 999999999\nencoding: raw"));
        seed(nrrd, "negative-byte-skip", replace(ctRaw, "encoding: raw", "byte skip: -7\nencoding: raw"));
        seed(nrrd, "byte-skip-minus-one", replace(ctRaw, "encoding: raw", "byte skip: -1\nencoding: raw"));
        seed(nrrd, "nan-spacing", replace(ctRaw, "space origin:", "spacings: nan nan nan\nspace origin:"));
        seed(
                nrrd,
                "crlf",
                new String(ctRaw, StandardCharsets.ISO_8859_1)
                        .substring(0, headerEnd(ctRaw))
                        .replace("\n", "\r\n")
                        .concat(new String(
                                ctRaw, headerEnd(ctRaw), ctRaw.length - headerEnd(ctRaw), StandardCharsets.ISO_8859_1))
                        .getBytes(StandardCharsets.ISO_8859_1));
        seed(nrrd, "unknown-endian", replace(ctRaw, "endian: little", "endian: middle"));
        seed(nrrd, "bad-type", replace(ctRaw, "type: int16", "type: complex"));
        seed(nrrd, "empty", new byte[0]);
        seed(nrrd, "magic-only", ascii("NRRD0004\n"));
        seed(
                nrrd,
                "data-file-outside",
                ascii("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 4 4 4\n"
                        + "encoding: raw\ndata file: ../secret.raw\n\n"));

        // ---- NRRD, detached: header up to its blank line, then the data file's bytes
        Path nhdr = RES.resolve("io/NrrdFuzzTestInputs/detached");
        Files.createDirectories(nhdr);
        byte[] dRaw = detachedBytes(tmp, ct, VoxelType.INT16, NrrdIO.Encoding.RAW);
        byte[] dGz = detachedBytes(tmp, mask, VoxelType.UINT8, NrrdIO.Encoding.GZIP);
        seed(nhdr, "ct-int16-raw", dRaw);
        seed(nhdr, "mask-uint8-gzip", dGz);
        seed(nhdr, "truncated-data", Arrays.copyOf(dRaw, dRaw.length - 9));
        seed(nhdr, "gzip-bit-flip", flip(dGz, dGz.length - 10));
        seed(nhdr, "parent-path", replace(dRaw, "data file: d.raw", "data file: ../secret.raw"));
        seed(nhdr, "absolute-path", replace(dRaw, "data file: d.raw", "data file: /etc/passwd"));
        seed(nhdr, "list", replace(dRaw, "data file: d.raw", "data file: LIST\nd.raw"));
        seed(nhdr, "list-outside", replace(dRaw, "data file: d.raw", "data file: LIST\nd.raw\n../secret.raw"));
        seed(nhdr, "format-names", replace(dRaw, "data file: d.raw", "data file: ../secret.r%01d 1 1 1 2"));
        seed(nhdr, "folder-name", replace(dRaw, "data file: d.raw", "data file: ."));

        // ---- NIfTI, plain and gzip
        Path nii = RES.resolve("io/NiftiFuzzTestInputs/nifti");
        Files.createDirectories(nii);
        byte[] niiCt = niftiBytes(tmp, ct, VoxelType.INT16);
        byte[] niiMask = niftiBytes(tmp, mask, VoxelType.UINT8);
        byte[] niiFloat = niftiBytes(tmp, ct, VoxelType.FLOAT32);
        seed(nii, "ct-int16", niiCt);
        seed(nii, "mask-uint8", niiMask);
        seed(nii, "ct-float", niiFloat);
        seed(nii, "ct-int16-gz", gzip(niiCt));
        seed(nii, "mask-uint8-gz", gzip(niiMask));
        seed(nii, "truncated", Arrays.copyOf(niiCt, niiCt.length - 11));
        seed(nii, "header-only", Arrays.copyOf(niiCt, 348));
        seed(nii, "gz-bit-flip", flip(gzip(niiCt), 30));
        seed(nii, "gz-truncated", Arrays.copyOf(gzip(niiCt), gzip(niiCt).length - 4));
        byte[] lowOffset = niiCt.clone();
        ByteBuffer.wrap(lowOffset).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 300f);
        seed(nii, "vox-offset-300", lowOffset);
        byte[] huge = Arrays.copyOf(niiCt, 400);
        ByteBuffer hb = ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN);
        hb.putShort(42, (short) 1000)
                .putShort(44, (short) 1000)
                .putShort(46, (short) 1400)
                .putShort(70, (short) 64)
                .putShort(72, (short) 64);
        seed(nii, "huge-double", huge);
        seed(nii, "huge-double-gz", gzip(huge));
        byte[] nanSpacing = niiCt.clone();
        ByteBuffer.wrap(nanSpacing).order(ByteOrder.LITTLE_ENDIAN).putFloat(80, Float.NaN);
        seed(nii, "nan-spacing", nanSpacing);
        seed(nii, "empty", new byte[0]);
        seed(nii, "gzip-of-text", gzip(ascii("not an image at all\n")));

        // ---- DICOM: single slices of the committed fixtures (made by src/test/resources/dicom/make-fixtures.sh)
        Path dcm = RES.resolve("io/DicomFuzzTestInputs/header");
        Files.createDirectories(dcm);
        for (String fixture : new String[] {"implicit", "big-endian", "oblique-ct", "compressed", "uneven"}) {
            Path first;
            try (Stream<Path> s = Files.list(DicomFixtures.path(fixture))) {
                first = s.filter(f -> f.toString().endsWith(".dcm"))
                        .sorted()
                        .findFirst()
                        .orElseThrow();
            }
            byte[] b = Files.readAllBytes(first);
            seed(dcm, fixture, b);
            if (fixture.equals("implicit")) {
                seed(dcm, "implicit-truncated", Arrays.copyOf(b, b.length / 2));
                seed(dcm, "implicit-header-only", Arrays.copyOf(b, 400));
                byte[] longLength = b.clone();
                ByteBuffer.wrap(longLength).order(ByteOrder.LITTLE_ENDIAN).putInt(136, 0xfffffff0);
                seed(dcm, "implicit-huge-length", longLength);
            }
        }
        seed(dcm, "no-marker", new byte[200]);
        seed(dcm, "preamble-only", Arrays.copyOf(ascii(" ".repeat(128) + "DICM"), 132));

        // ---- STL, binary and ASCII
        Path stl = RES.resolve("mesh/StlFuzzTestInputs/stl");
        Files.createDirectories(stl);
        TriangleMesh tetra = new TriangleMesh(
                new float[] {0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10}, new int[] {0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3});
        Path stlBin = tmp.resolve("t.stl");
        MeshIO.writeStlBinary(tetra, stlBin, "fuzz seed");
        byte[] bin = Files.readAllBytes(stlBin);
        MeshIO.writeStlAscii(tetra, stlBin, "fuzz seed");
        byte[] asc = Files.readAllBytes(stlBin);
        seed(stl, "tetra-binary", bin);
        seed(stl, "tetra-ascii", asc);
        seed(stl, "binary-truncated", Arrays.copyOf(bin, bin.length - 20));
        byte[] count = bin.clone();
        ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).putInt(80, Integer.MAX_VALUE);
        seed(stl, "binary-huge-count", count);
        byte[] nan = bin.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(84 + 12, Float.NaN);
        seed(stl, "binary-nan", nan);
        seed(stl, "ascii-truncated", Arrays.copyOf(asc, asc.length / 2));
        seed(
                stl,
                "ascii-bad-number",
                ascii(new String(asc, StandardCharsets.ISO_8859_1)
                        .replaceFirst("vertex [^\n]*", "vertex 1e999 abc -")));
        seed(stl, "header-only", Arrays.copyOf(bin, 84));
        seed(stl, "empty", new byte[0]);
        seed(stl, "ply-header", ascii("ply\nformat ascii 1.0\nelement vertex 99999999\nend_header\n"));

        // ---- web uploads: volumes, meshes, zips
        Path web = RES.resolve("web/UploadFuzzTestInputs/upload");
        Files.createDirectories(web);
        seed(web, "nrrd-mask-gzip", maskGz);
        seed(
                web,
                "nrrd-data-file-outside",
                ascii("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 4 4 4\n"
                        + "encoding: raw\ndata file: ../../../secret.raw\n\n"));
        seed(web, "nrrd-huge", replace(ctGz, "sizes: 5 4 3", "sizes: 1024 1024 600"));
        seed(web, "nifti-mask-gz", gzip(niiMask));
        seed(web, "nifti-huge", huge);
        seed(web, "stl-binary", bin);
        byte[] slice;
        try (Stream<Path> s = Files.list(DicomFixtures.path("implicit"))) {
            slice = Files.readAllBytes(s.filter(f -> f.toString().endsWith(".dcm"))
                    .sorted()
                    .findFirst()
                    .orElseThrow());
        }
        byte[] zipDicom = zip(new String[] {"series/1.dcm"}, new byte[][] {slice}, true);
        seed(web, "zip-dicom", zipDicom);
        seed(web, "zip-dicom-stored", zip(new String[] {"1.dcm"}, new byte[][] {slice}, false));
        seed(web, "zip-bit-flip", flip(zip(new String[] {"1.dcm"}, new byte[][] {slice}, false), 200));
        seed(web, "zip-truncated", Arrays.copyOf(zipDicom, zipDicom.length / 2));
        seed(
                web,
                "zip-nhdr-outside",
                zip(
                        new String[] {"h.nhdr"},
                        new byte[][] {
                            ascii("NRRD0004\ntype: uchar\n"
                                    + "dimension: 3\nsizes: 4 4 4\nencoding: raw\ndata file: ../../secret.raw\n\n")
                        },
                        true));
        seed(
                web,
                "zip-junk-only",
                zip(new String[] {"__MACOSX/._1.dcm", ".DS_Store"}, new byte[][] {new byte[10], new byte[10]}, true));
        seed(web, "zip-zeros", zip(new String[] {"z.dcm"}, new byte[][] {new byte[1 << 20]}, true));
        seed(web, "empty", new byte[0]);
        seed(web, "text", ascii("hello, this is not a skull\n"));
        Files.walk(tmp)
                .sorted(java.util.Comparator.reverseOrder())
                .forEach(p -> p.toFile().delete());
    }

    private static byte[] nrrdBytes(Path tmp, Volume v, VoxelType t, NrrdIO.Encoding e, String name)
            throws IOException {
        Path p = tmp.resolve(name);
        NrrdIO.write(v, p, t, e);
        return Files.readAllBytes(p);
    }

    private static byte[] detachedBytes(Path tmp, Volume v, VoxelType t, NrrdIO.Encoding e) throws IOException {
        Path h = tmp.resolve("d.nhdr");
        NrrdIO.write(v, h, t, e);
        byte[] head = Files.readAllBytes(h);
        byte[] data = Files.readAllBytes(tmp.resolve(e == NrrdIO.Encoding.GZIP ? "d.raw.gz" : "d.raw"));
        byte[] all = Arrays.copyOf(head, head.length + data.length);
        System.arraycopy(data, 0, all, head.length, data.length);
        return all;
    }

    private static byte[] niftiBytes(Path tmp, Volume v, VoxelType t) throws IOException {
        Path p = tmp.resolve("a.nii");
        NiftiIO.write(v, p, t);
        return Files.readAllBytes(p);
    }

    private static int headerEnd(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).indexOf("\n\n") + 2;
    }

    /** Replaces text in the header only; the data after it is kept byte for byte. */
    private static byte[] replace(byte[] file, String from, String to) {
        int end = headerEnd(file);
        String head = new String(file, 0, end, StandardCharsets.ISO_8859_1);
        if (!head.contains(from)) throw new IllegalStateException("no '" + from + "' in " + head);
        byte[] h = head.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(h, h.length + file.length - end);
        System.arraycopy(file, end, all, h.length, file.length - end);
        return all;
    }

    private static byte[] replaceData(byte[] file, String from, String to, byte[] data) {
        byte[] head = replace(Arrays.copyOf(file, headerEnd(file)), from, to);
        byte[] all = Arrays.copyOf(head, head.length + data.length);
        System.arraycopy(data, 0, all, head.length, data.length);
        return all;
    }

    private static byte[] asciiValues(Volume v) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < v.voxelCount(); i++) s.append((int) v.get(i)).append(i % 5 == 4 ? "\n" : " ");
        return ascii(s.toString());
    }

    private static byte[] flip(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] ^= 0x10;
        return c;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] zip(String[] names, byte[][] contents, boolean deflate) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < names.length; i++) {
                ZipEntry e = new ZipEntry(names[i]);
                if (!deflate) {
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(contents[i]);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(contents[i].length);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(contents[i]);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static void seed(Path folder, String name, byte[] bytes) throws IOException {
        Files.write(folder.resolve(name), bytes);
    }
}
