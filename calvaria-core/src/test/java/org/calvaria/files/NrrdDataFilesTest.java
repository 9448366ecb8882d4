package org.calvaria.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which data files an NRRD header names, as the output clash check sees them. */
class NrrdDataFilesTest {
    @TempDir
    Path tmp;

    private Path write(String name, String header, byte[] data) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(header.getBytes(StandardCharsets.ISO_8859_1));
        b.write(data);
        return Files.write(tmp.resolve(name), b.toByteArray());
    }

    @Test
    void anAttachedNrrdNamesNoDataFileWhateverItsDataHolds() throws Exception {
        // data that looks like a field line must not be read as one
        byte[] data = "\ndata file: victim.raw\n\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        Path p = write("a.nrrd", "NRRD0004\ntype: uint8\ndimension: 1\nsizes: 5\nencoding: raw\n\n", data);
        assertEquals(List.of(), FileClash.nrrdDataFiles(p));
        Path crlf = write("b.nrrd", "NRRD0004\r\ntype: uint8\r\nsizes: 5\r\n\r\n", data);
        assertEquals(List.of(), FileClash.nrrdDataFiles(crlf));
    }

    @Test
    void aDetachedHeaderNamesItsDataFilesBesideIt() throws Exception {
        Path one = write("one.nhdr", "NRRD0004\ntype: uint8\nsizes: 5\ndata file: one.raw.gz\n", new byte[0]);
        assertEquals(List.of(tmp.resolve("one.raw.gz")), FileClash.nrrdDataFiles(one));
        Path old = write("old.nhdr", "NRRD0004\r\n# comment\r\nDataFile: old.raw\r\n", new byte[0]);
        assertEquals(List.of(tmp.resolve("old.raw")), FileClash.nrrdDataFiles(old));
        Path list = write("list.nhdr", "NRRD0004\nsizes: 2 2 2\ndata file: LIST\nz0.raw\nz1.raw\n", new byte[0]);
        assertEquals(List.of(tmp.resolve("z0.raw"), tmp.resolve("z1.raw")), FileClash.nrrdDataFiles(list));
    }

    @Test
    void aFileThatIsNoNrrdIsNotOneOfItsKind() throws Exception {
        assertNull(FileClash.nrrdDataFiles(write("x.stl", "solid x\n", new byte[0])));
    }
}
