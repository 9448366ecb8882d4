package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.nio.file.Path;
import org.calvaria.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A command's --quiet or --verbose holds for that command only, not for what the JVM does after it. */
class LogLevelRestoredTest {
    @TempDir
    Path tmp;

    @Test
    void quietAndVerboseRunsPutTheLogLevelBack() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        try {
            root.setLevel(Level.INFO);
            for (String flag : new String[] {"--quiet", "--verbose"}) {
                CliRun.Result r =
                        CliRun.run("info", flag, tmp.resolve("missing.nrrd").toString());
                assertEquals(1, r.exitCode(), r.err());
                assertEquals(Level.INFO, root.getLevel(), "after a run with " + flag);
            }
        } finally {
            root.setLevel(before);
        }
    }
}
