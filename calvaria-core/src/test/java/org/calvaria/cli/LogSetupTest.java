package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The logging set up in code: bare messages, exceptions with their trace, the web library kept quiet. */
class LogSetupTest {
    @Test
    void theToolsLoggingIsSetUpByLogSetup() {
        LoggerContext running = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertTrue(
                running.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR") instanceof ConsoleLog,
                "the root logger writes through ConsoleLog");
    }

    @Test
    void messagesAreBareAndExceptionsKeepTheirTrace() {
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);
        assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, setup.configure(context));
        StringWriter out = new StringWriter();
        ConsoleLog.target(new PrintWriter(out));
        try {
            org.slf4j.Logger log = context.getLogger("org.calvaria.test");
            log.info("designed {} in {} s", "069", 3.2);
            log.debug("not shown at INFO");
            log.warn("request failed", new IllegalStateException("boom"));
            context.getLogger("org.eclipse.jetty.server").info("jetty start-up line");
            assertEquals(Level.WARN, context.getLogger("org.eclipse.jetty").getLevel());
        } finally {
            ConsoleLog.target(null);
            context.stop();
        }
        String[] lines = out.toString().split("\\R");
        assertEquals("designed 069 in 3.2 s", lines[0]);
        assertEquals("request failed", lines[1]);
        assertTrue(lines[2].contains("IllegalStateException: boom"), lines[2]);
        assertTrue(lines[3].trim().startsWith("at "), lines[3]);
        assertTrue(!out.toString().contains("not shown") && !out.toString().contains("jetty start-up"), out.toString());
    }
}
