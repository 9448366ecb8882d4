package org.calvaria.complete;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.Provenance;
import org.calvaria.files.Outputs;

/**
 * A trained completion network in one self-describing file, independent of the engine that trained it.
 *
 * <p>Layout: the 8 ASCII bytes {@code CALVMODL}; the format version (int32, big-endian); the header length L (int32,
 * big-endian); L bytes of UTF-8 JSON header (architecture, grid, threshold, training data and licence, metrics,
 * training settings, tool version, and the list of tensors with names and shapes); the tensors' float32 values,
 * little-endian, in header order; and a CRC-32 (int32, big-endian) of everything before it. Truncated, corrupt or
 * mismatched files are refused with a {@link CalvariaException}.
 *
 * <p>A checkpoint is the same file with the optimizer's slot tensors ({@link #optimizerState()}) and its position
 * ({@link #training()}: epoch, step, ...) filled in; a deployable model leaves the optimizer state empty.
 */
public record ModelFile(
        Architecture architecture,
        GridSpec grid,
        Weights weights,
        double threshold,
        String trainingData,
        String licence,
        Map<String, Object> metrics,
        Map<String, Object> training,
        Weights optimizerState,
        String toolVersion,
        String created) {
    /** Conventional file name extension. */
    public static final String EXTENSION = ".calvaria-model";

    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = "CALVMODL".getBytes(StandardCharsets.US_ASCII);
    static final int PREAMBLE = MAGIC.length + 8;
    static final int MAX_HEADER = 16 << 20;
    static final long MAX_FILE = 1L << 31;
    static final String WEIGHTS = "weights";
    static final String OPTIMIZER = "optimizer";

    public ModelFile {
        if (architecture == null || grid == null || weights == null) {
            throw new IllegalArgumentException("architecture, grid and weights are required");
        }
        if (!(threshold > 0 && threshold < 1)) {
            throw new CalvariaException("model threshold " + threshold + " must lie strictly between 0 and 1");
        }
        weights.requireShapes(architecture.variableShapes(), "model weights", architecture.name());
        trainingData = trainingData == null ? "" : trainingData;
        licence = licence == null ? "" : licence;
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics == null ? Map.of() : metrics));
        training = Collections.unmodifiableMap(new LinkedHashMap<>(training == null ? Map.of() : training));
        optimizerState = optimizerState == null ? new Weights() : optimizerState;
        toolVersion = toolVersion == null ? Provenance.version() : toolVersion;
        created = created == null ? Provenance.now().toString() : created;
    }

    /** A model with default threshold 0.5, no metrics and no optimizer state, stamped with this tool's version. */
    public static ModelFile of(Architecture architecture, GridSpec grid, Weights weights) {
        return new ModelFile(architecture, grid, weights, 0.5, "", "", Map.of(), Map.of(), null, null, null);
    }

    public ModelFile withWeights(Weights w) {
        return new ModelFile(
                architecture,
                grid,
                w,
                threshold,
                trainingData,
                licence,
                metrics,
                training,
                optimizerState,
                toolVersion,
                created);
    }

    public ModelFile withThreshold(double t) {
        return new ModelFile(
                architecture,
                grid,
                weights,
                t,
                trainingData,
                licence,
                metrics,
                training,
                optimizerState,
                toolVersion,
                created);
    }

    public ModelFile withDescription(String data, String dataLicence) {
        return new ModelFile(
                architecture,
                grid,
                weights,
                threshold,
                data,
                dataLicence,
                metrics,
                training,
                optimizerState,
                toolVersion,
                created);
    }

    public ModelFile withMetrics(Map<String, Object> m) {
        return new ModelFile(
                architecture,
                grid,
                weights,
                threshold,
                trainingData,
                licence,
                m,
                training,
                optimizerState,
                toolVersion,
                created);
    }

    public ModelFile withTraining(Map<String, Object> t) {
        return new ModelFile(
                architecture,
                grid,
                weights,
                threshold,
                trainingData,
                licence,
                metrics,
                t,
                optimizerState,
                toolVersion,
                created);
    }

    public ModelFile withOptimizerState(Weights state) {
        return new ModelFile(
                architecture,
                grid,
                weights,
                threshold,
                trainingData,
                licence,
                metrics,
                training,
                state,
                toolVersion,
                created);
    }

    /** Writes the file atomically (whole or not at all). */
    public void write(Path path) {
        byte[] bytes = toBytes();
        Outputs.writeAtomically(path, out -> out.write(bytes));
    }

    public void write(OutputStream out) throws IOException {
        out.write(toBytes());
    }

    public byte[] toBytes() {
        ObjectNode h = Json.MAPPER.createObjectNode();
        h.put("format", "calvaria-model");
        h.put("formatVersion", FORMAT_VERSION);
        ObjectNode a = h.putObject("architecture");
        a.put("name", architecture.name());
        ArrayNode w = a.putArray("widths");
        for (int x : architecture.widths()) w.add(x);
        ArrayNode d = a.putArray("dilations");
        for (int x : architecture.dilations()) d.add(x);
        a.put("parameters", architecture.parameterCount());
        ObjectNode g = h.putObject("grid");
        g.put("nx", grid.nx());
        g.put("ny", grid.ny());
        g.put("nz", grid.nz());
        g.put("heightMm", grid.heightMm());
        g.put("placement", grid.placement().id());
        h.put("threshold", threshold);
        h.put("trainingData", trainingData);
        h.put("licence", licence);
        h.set("metrics", Json.MAPPER.valueToTree(metrics));
        h.set("training", Json.MAPPER.valueToTree(training));
        h.put("toolVersion", toolVersion);
        h.put("created", created);
        ArrayNode tensors = h.putArray("tensors");
        long floats = 0;
        floats += describe(tensors, weights, WEIGHTS);
        floats += describe(tensors, optimizerState, OPTIMIZER);
        byte[] header;
        try {
            header = Json.MAPPER.writeValueAsBytes(h);
        } catch (JsonProcessingException e) {
            throw new CalvariaException("cannot encode the model header: " + e.getOriginalMessage(), e);
        }
        long total = PREAMBLE + header.length + 4 * floats + 4;
        if (total > MAX_FILE) throw new CalvariaException("model too large to store (" + total + " bytes)");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) total);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeInt(header.length);
            out.write(header);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Weights group : new Weights[] {weights, optimizerState}) {
                for (String name : group.names()) {
                    for (float v : group.values(name)) {
                        if (!buf.hasRemaining()) {
                            out.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        buf.putFloat(v);
                    }
                }
            }
            out.write(buf.array(), 0, buf.position());
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new IllegalStateException(e); // in-memory stream
        }
        return bytes.toByteArray();
    }

    private static long describe(ArrayNode tensors, Weights group, String groupName) {
        long floats = 0;
        for (String name : group.names()) {
            ObjectNode t = tensors.addObject();
            t.put("name", name);
            t.put("group", groupName);
            ArrayNode s = t.putArray("shape");
            for (int x : group.shape(name)) s.add(x);
            floats += group.values(name).length;
        }
        return floats;
    }

    /** Reads and checks a model file. */
    public static ModelFile read(Path path) {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new CalvariaException(
                    "model file " + path + " does not exist; give the path of a .calvaria-model file");
        } catch (IOException e) {
            throw new CalvariaException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
        if (Files.isDirectory(path)) {
            throw new CalvariaException("model " + path + " is a folder; give the .calvaria-model file inside it");
        }
        if (size > MAX_FILE) throw new CalvariaException("model file " + path + " is too large to be a Calvaria model");
        try {
            return read(Files.readAllBytes(path), "model file " + path);
        } catch (IOException e) {
            throw new CalvariaException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Parses model bytes; {@code what} names the source in messages. */
    public static ModelFile read(byte[] b, String what) {
        return ModelFileReader.read(b, what);
    }

    /** A number from {@link #metrics()} or {@link #training()}, or NaN when absent. */
    public static double number(Map<String, Object> map, String key) {
        Object v = map.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
