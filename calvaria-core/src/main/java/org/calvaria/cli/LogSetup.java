package org.calvaria.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration, in code rather than in a {@code logback.xml}: reading that file brought in an XML parser
 * and several hundred configuration classes at every start of the tool, a noticeable part of a design's few seconds.
 * Found by logback through {@code META-INF/services}. Log lines are the bare message on standard error
 * ({@link ConsoleLog}); a logged exception keeps its stack trace (the pattern layout adds it).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern("%msg%n");
        layout.start();
        ConsoleLog appender = new ConsoleLog();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setLayout(layout);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        // the web server's library: its start-up lines and per-connection details are not for the user
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
