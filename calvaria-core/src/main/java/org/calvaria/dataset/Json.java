package org.calvaria.dataset;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** JSON files of the dataset tools: pretty, written atomically. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private Json() {}

    public static ObjectMapper mapper() { return MAPPER; }

    public static void write(Path path, Object value) {
        Outputs.writeAtomically(path, out -> MAPPER.writeValue(out, value));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(Path path) {
        try {
            return MAPPER.readValue(path.toFile(), Map.class);
        } catch (IOException e) {
            throw new CalvariaException("cannot read JSON " + path + ": " + e.getMessage(), e);
        }
    }
}
