package org.calvaria.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.files.Outputs;

/** JSON files of the dataset tools: pretty ({@link Json}), written atomically. */
public final class JsonFiles {
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = Json.MAPPER;

    private JsonFiles() {}

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
