package org.calvaria.complete;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.calvaria.CalvariaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir
    Path tmp;

    static final GridSpec GRID = new GridSpec(24, 16, 8, 60);

    static ModelFile sample() {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("val_dice", 0.875);
        metrics.put("val_implant_dice", 0.5);
        metrics.put("epoch", 12);
        return ModelFile.of(Architecture.wu2022(), GRID, Weights.glorotUniform(Architecture.wu2022(), 9))
                .withThreshold(0.45)
                .withDescription("synthetic test skulls", "Apache-2.0")
                .withMetrics(metrics)
                .withTraining(Map.of("optimizer", "adadelta", "batch", 10));
    }

    @Test
    void roundTripKeepsEverything() throws IOException {
        ModelFile m = sample();
        Path p = tmp.resolve("m" + ModelFile.EXTENSION);
        m.write(p);
        ModelFile back = ModelFile.read(p);
        assertEquals(m.architecture(), back.architecture());
        assertEquals(m.grid(), back.grid());
        assertTrue(m.weights().sameAs(back.weights()));
        assertEquals(0.45, back.threshold());
        assertEquals("synthetic test skulls", back.trainingData());
        assertEquals("Apache-2.0", back.licence());
        assertEquals(0.875, ModelFile.number(back.metrics(), "val_dice"));
        assertEquals(12, ModelFile.number(back.metrics(), "epoch"));
        assertEquals("adadelta", back.training().get("optimizer"));
        assertEquals(m.toolVersion(), back.toolVersion());
        assertEquals(m.created(), back.created());
        assertEquals(0, back.optimizerState().size());
        // 8269 floats plus header: the file stays small
        assertTrue(Files.size(p) > 4 * 8269 && Files.size(p) < 4 * 8269 + 16_000, "size " + p);
    }

    @Test
    void optimizerStateRoundTrips() {
        Weights slots = new Weights();
        slots.put("accum/c0/kernel", new int[] {3, 3, 3, 1, 8}, random(216, 1));
        slots.put("accum/c0/bias", new int[] {8}, random(8, 2));
        ModelFile m = sample().withOptimizerState(slots);
        ModelFile back = ModelFile.read(m.toBytes(), "test");
        assertTrue(back.optimizerState().sameAs(slots));
        assertTrue(back.weights().sameAs(m.weights()));
    }

    @Test
    void truncatedFilesFailClearly() throws IOException {
        byte[] b = sample().toBytes();
        for (int length : new int[] {0, 5, 15, 200, b.length / 2, b.length - 1}) {
            Path p = tmp.resolve("t" + length + ModelFile.EXTENSION);
            Files.write(p, Arrays.copyOf(b, length));
            CalvariaException e = assertThrows(CalvariaException.class, () -> ModelFile.read(p));
            assertTrue(
                    e.getMessage().contains("truncated") || e.getMessage().contains("not a Calvaria model"),
                    length + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        }
    }

    @Test
    void corruptFilesFailClearly() throws IOException {
        byte[] b = sample().toBytes();
        Random r = new Random(3);
        for (int k = 0; k < 20; k++) {
            byte[] c = b.clone();
            int i = 8 + r.nextInt(c.length - 8);
            c[i] ^= (byte) (1 + r.nextInt(255));
            CalvariaException e = assertThrows(CalvariaException.class, () -> ModelFile.read(c, "model x"));
            assertTrue(e.getMessage().startsWith("model x "), e.getMessage());
        }
        byte[] wrongMagic = b.clone();
        wrongMagic[0] = 'X';
        assertTrue(assertThrows(CalvariaException.class, () -> ModelFile.read(wrongMagic, "m"))
                .getMessage()
                .contains("not a Calvaria model"));
        byte[] extra = Arrays.copyOf(b, b.length + 4);
        assertTrue(assertThrows(CalvariaException.class, () -> ModelFile.read(extra, "m"))
                .getMessage()
                .contains("corrupt"));
        Path missing = tmp.resolve("none" + ModelFile.EXTENSION);
        assertTrue(assertThrows(CalvariaException.class, () -> ModelFile.read(missing))
                .getMessage()
                .contains("does not exist"));
        Path text = tmp.resolve("text" + ModelFile.EXTENSION);
        Files.writeString(text, "this is not a model, just some text of reasonable length");
        assertTrue(assertThrows(CalvariaException.class, () -> ModelFile.read(text))
                .getMessage()
                .contains("not a Calvaria model"));
    }

    @Test
    void newerFormatVersionIsRefused() {
        byte[] b = sample().toBytes();
        ByteBuffer.wrap(b).putInt(8, ModelFile.FORMAT_VERSION + 1);
        CalvariaException e = assertThrows(CalvariaException.class, () -> ModelFile.read(b, "m"));
        assertTrue(e.getMessage().contains("update calvaria"), e.getMessage());
    }

    @Test
    void weightsOfAnotherArchitectureAreRefused() {
        // same file, but its header claims e3 has 8 channels: the stored e3/kernel [3,3,3,4,4] no longer fits
        byte[] b = sample().toBytes();
        byte[] edited =
                editHeader(b, h -> h.replaceFirst("\"widths\" : \\[ 8, 8, 4, 4 \\]", "\"widths\" : [ 8, 8, 4, 8 ]"));
        CalvariaException e = assertThrows(CalvariaException.class, () -> ModelFile.read(edited, "model y"));
        assertTrue(e.getMessage().contains("e3/kernel") && e.getMessage().contains("another network"), e.getMessage());
        // and through the API: wide16 weights cannot be given to wu2022
        Weights wide = Weights.glorotUniform(Architecture.wide16(), 1);
        assertThrows(CalvariaException.class, () -> ModelFile.of(Architecture.wu2022(), GRID, wide));
    }

    @Test
    void nonFiniteWeightsAreRefused() {
        Weights w = Weights.glorotUniform(Architecture.wu2022(), 1);
        w.values("d2/kernel")[7] = Float.NaN;
        byte[] b = ModelFile.of(Architecture.wu2022(), GRID, w).toBytes();
        CalvariaException e = assertThrows(CalvariaException.class, () -> ModelFile.read(b, "m"));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
    }

    @Test
    void missingBundledModelFailsClearly() {
        if (CompletionModel.class.getResource(CompletionModel.DEFAULT_RESOURCE) != null) return; // bundled by the lead
        CalvariaException e = assertThrows(CalvariaException.class, CompletionModel::loadDefault);
        assertTrue(e.getMessage().contains("no bundled completion model"), e.getMessage());
    }

    /** Rewrites the JSON header (same format) and recomputes the checksum, as a malicious or buggy writer might. */
    static byte[] editHeader(byte[] b, java.util.function.UnaryOperator<String> edit) {
        ByteBuffer in = ByteBuffer.wrap(b);
        int headerLength = in.getInt(12);
        String header = new String(b, 16, headerLength, StandardCharsets.UTF_8);
        String changed = edit.apply(header);
        assertNotEquals(header, changed, "edit did not apply");
        byte[] h = changed.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(b.length - headerLength + h.length);
        out.put(b, 0, 12).putInt(h.length).put(h).put(b, 16 + headerLength, b.length - 16 - headerLength - 4);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
