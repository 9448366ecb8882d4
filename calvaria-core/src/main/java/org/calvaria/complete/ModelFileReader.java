package org.calvaria.complete;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.calvaria.CalvariaException;
import org.calvaria.Json;

/** Reading a model file: the preamble and header checks, and decoding the tensors. */
final class ModelFileReader {
    private ModelFileReader() {}

    /** Parses model bytes; {@code what} names the source in messages. */
    static ModelFile read(byte[] b, String what) {
        if (b.length < ModelFile.PREAMBLE) {
            throw new CalvariaException(what + " is truncated or not a Calvaria model (" + b.length + " bytes)");
        }
        for (int i = 0; i < ModelFile.MAGIC.length; i++) {
            if (b[i] != ModelFile.MAGIC[i])
                throw new CalvariaException(what + " is not a Calvaria model file (wrong signature)");
        }
        ByteBuffer in = ByteBuffer.wrap(b);
        in.position(ModelFile.MAGIC.length);
        int version = in.getInt();
        if (version > ModelFile.FORMAT_VERSION || version < 1) {
            throw new CalvariaException(what + " has model format version " + version + "; this calvaria reads version "
                    + ModelFile.FORMAT_VERSION + " (update calvaria)");
        }
        int headerLength = in.getInt();
        if (headerLength <= 0 || headerLength > ModelFile.MAX_HEADER) {
            throw new CalvariaException(what + " is corrupt (header length " + headerLength + ")");
        }
        if (ModelFile.PREAMBLE + (long) headerLength > b.length) {
            throw new CalvariaException(what + " is truncated (" + b.length + " bytes, header alone needs "
                    + (ModelFile.PREAMBLE + headerLength) + "); copy the file again");
        }
        JsonNode h;
        try {
            h = Json.MAPPER.readTree(new String(b, ModelFile.PREAMBLE, headerLength, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CalvariaException(what + " is corrupt (unreadable header: " + e.getOriginalMessage() + ")", e);
        }
        try {
            return parse(h, b, ModelFile.PREAMBLE + headerLength, what);
        } catch (CalvariaException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CalvariaException(what + " is corrupt (" + e.getMessage() + ")", e);
        }
    }

    static ModelFile parse(JsonNode h, byte[] b, int dataStart, String what) {
        if (!"calvaria-model".equals(h.path("format").asText())) {
            throw new CalvariaException(what + " is corrupt (header does not name the calvaria-model format)");
        }
        JsonNode tensors = h.path("tensors");
        if (!tensors.isArray()) throw new CalvariaException(what + " is corrupt (no tensor list)");
        long floats = 0;
        for (JsonNode t : tensors) {
            long n = 1;
            for (JsonNode s : t.path("shape")) {
                int dim = s.asInt(-1);
                if (dim < 0 || dim > (1 << 30)) throw new CalvariaException(what + " is corrupt (bad tensor shape)");
                n *= dim;
                if (n > ModelFile.MAX_FILE) throw new CalvariaException(what + " is corrupt (tensor too large)");
            }
            floats += n;
        }
        long expected = dataStart + 4 * floats + 4;
        if (b.length < expected) {
            throw new CalvariaException(
                    what + " is truncated (" + b.length + " of " + expected + " bytes); copy the file again");
        }
        if (b.length > expected) {
            throw new CalvariaException(what + " is corrupt (" + (b.length - expected) + " unexpected trailing bytes)");
        }
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        int stored = ByteBuffer.wrap(b, b.length - 4, 4).getInt();
        if ((int) crc.getValue() != stored) {
            throw new CalvariaException(what + " is corrupt (checksum mismatch); copy the file again");
        }

        JsonNode a = h.path("architecture");
        Architecture arch =
                new Architecture(a.path("name").asText(), ints(a.path("widths")), ints(a.path("dilations")));
        JsonNode g = h.path("grid");
        GridSpec grid = new GridSpec(
                g.path("nx").asInt(),
                g.path("ny").asInt(),
                g.path("nz").asInt(),
                g.path("heightMm").asDouble(),
                GridSpec.Placement.parse(g.path("placement").asText("vertex")));

        ByteBuffer data =
                ByteBuffer.wrap(b, dataStart, b.length - 4 - dataStart).slice().order(ByteOrder.LITTLE_ENDIAN);
        Weights weights = new Weights();
        Weights optimizer = new Weights();
        for (JsonNode t : tensors) {
            String name = t.path("name").asText();
            int[] shape = ints(t.path("shape"));
            float[] values = new float[Weights.size(shape)];
            data.asFloatBuffer().get(values);
            data.position(data.position() + 4 * values.length);
            String group = t.path("group").asText();
            if (ModelFile.WEIGHTS.equals(group)) {
                for (float v : values) {
                    if (!Float.isFinite(v)) {
                        throw new CalvariaException(what + " has non-finite weights in " + name
                                + " (training diverged); use an earlier checkpoint");
                    }
                }
                weights.put(name, shape, values);
            } else if (ModelFile.OPTIMIZER.equals(group)) {
                optimizer.put(name, shape, values);
            } else {
                throw new CalvariaException(
                        what + " is corrupt (tensor " + name + " in unknown group '" + group + "')");
            }
        }
        weights.requireShapes(arch.variableShapes(), what, arch.describe());
        return new ModelFile(
                arch,
                grid,
                weights,
                h.path("threshold").asDouble(0.5),
                h.path("trainingData").asText(""),
                h.path("licence").asText(""),
                map(h.path("metrics")),
                map(h.path("training")),
                optimizer,
                h.path("toolVersion").asText("unknown"),
                h.path("created").asText("unknown"));
    }

    static int[] ints(JsonNode array) {
        if (!array.isArray()) throw new IllegalArgumentException("expected a list of integers");
        int[] r = new int[array.size()];
        for (int i = 0; i < r.length; i++) {
            if (!array.get(i).canConvertToInt()) throw new IllegalArgumentException("expected integers");
            r[i] = array.get(i).asInt();
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(JsonNode node) {
        if (node == null || !node.isObject()) return Map.of();
        return Json.MAPPER.convertValue(node, LinkedHashMap.class);
    }
}
