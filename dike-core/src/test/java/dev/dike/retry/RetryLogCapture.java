package dev.dike.retry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.LoggerFactory;

/** Captures what is logged on {@code dev.dike.retry} (and keeps it off the console) while open. */
final class RetryLogCapture implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.dike.retry");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final boolean wasAdditive;

    RetryLogCapture() {
        appender.start();
        logger.addAppender(appender);
        wasAdditive = logger.isAdditive();
        logger.setAdditive(false);
    }

    /** @return the captured events, in order */
    List<ILoggingEvent> events() {
        synchronized (appender) {
            return new ArrayList<>(appender.list);
        }
    }

    /** @return the formatted messages of the WARN events, in order */
    List<String> warnings() {
        List<String> messages = new ArrayList<>();
        for (ILoggingEvent event : events()) {
            if (event.getLevel() == Level.WARN) {
                messages.add(event.getFormattedMessage());
            }
        }
        return messages;
    }

    /**
     * Turns the retry log off until the returned handle is closed, for tests that retry so often that
     * recording every line would only cost time and memory (the log format has its own tests).
     */
    static Silence silence() {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.dike.retry");
        Level level = logger.getLevel();
        logger.setLevel(Level.ERROR);
        return () -> logger.setLevel(level);
    }

    /** Restores the retry log's level when closed. */
    interface Silence extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setAdditive(wasAdditive);
        appender.stop();
    }
}
