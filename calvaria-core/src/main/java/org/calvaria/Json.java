package org.calvaria;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one Jackson set-up of every JSON file and answer Calvaria writes or reads. Files are pretty-printed (Jackson's
 * default printer: two-space indent, {@code "key" : value}); HTTP answers and one-line cells use {@link #compact()}.
 * Writing to a stream never closes it ({@code AUTO_CLOSE_TARGET} off), so a caller that owns the stream (the atomic
 * file writer) closes it itself; writing to a {@link java.io.File} closes the file as always.
 */
public final class Json {
    /** Pretty-printing mapper; thread-safe once built, never reconfigure it. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    private static final ObjectWriter COMPACT = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    /** Writes on one line, without spaces: for HTTP answers and table cells. */
    public static ObjectWriter compact() {
        return COMPACT;
    }
}
