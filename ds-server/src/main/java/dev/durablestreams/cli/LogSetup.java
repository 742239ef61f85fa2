package dev.durablestreams.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/** Chooses the log format and the access log at start-up, before the first line is logged. */
final class LogSetup {
    /** Log line formats. */
    enum Format { text, json }

    private LogSetup() {}

    static void apply(Format format, boolean accessLog) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return; // another SLF4J backend
        if (format == Format.json) {
            URL config = LogSetup.class.getResource("/logback-json.xml");
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            try {
                configurator.doConfigure(config);
            } catch (JoranException e) {
                throw new IllegalStateException("cannot configure JSON logging: " + e.getMessage(), e);
            }
        }
        if (accessLog) context.getLogger("access").setLevel(Level.INFO);
    }
}
