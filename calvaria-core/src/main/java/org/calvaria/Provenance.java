package org.calvaria;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Properties;

/** Where outputs record how they were made: tool version, command, time. */
public final class Provenance {
    private static final String VERSION = loadVersion();

    private Provenance() {}

    public static String version() {
        return VERSION;
    }

    private static String loadVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/calvaria-version.properties")) {
            if (in == null) return "dev";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    /** One line describing the tool and time, for file headers and reports. */
    public static String line(String what) {
        return "calvaria " + VERSION + " " + what + " at " + now();
    }

    /**
     * The creation time outputs record, in whole seconds: {@code SOURCE_DATE_EPOCH} (seconds since 1970-01-01 UTC,
     * the reproducible-builds convention) when that environment variable is set, so that two runs with the same
     * inputs and seed write the same bytes; otherwise the current time.
     *
     * @throws CalvariaException when {@code SOURCE_DATE_EPOCH} is set but not a whole number of seconds
     */
    public static Instant now() {
        return now(System.getenv("SOURCE_DATE_EPOCH"), Instant.now());
    }

    static Instant now(String sourceDateEpoch, Instant clock) {
        if (sourceDateEpoch == null || sourceDateEpoch.isEmpty()) return clock.truncatedTo(ChronoUnit.SECONDS);
        try {
            return Instant.ofEpochSecond(Long.parseLong(sourceDateEpoch.trim()));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new CalvariaException("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC,"
                    + " got '" + sourceDateEpoch + "'");
        }
    }

    /**
     * Something that carries string metadata, such as a volume (written into its file header). An interface here, so
     * that this package, the bottom of the layering, needs nothing from {@code volume}.
     */
    public interface Stamped {
        /** The modifiable metadata. */
        Map<String, String> metadata();
    }

    /** Records in the volume's metadata which step made it. */
    public static <V extends Stamped> V stamp(V volume, String what) {
        volume.metadata().put("calvaria_version", VERSION);
        volume.metadata().put("calvaria_made_by", what);
        volume.metadata().put("calvaria_created", now().toString());
        return volume;
    }
}
