package moe.ids.store;

import java.time.Duration;

/** What {@link RedisStore} reports about its writes; the ingestor turns it into metrics. */
public interface WriteMetrics {
    /** Reports nothing. */
    WriteMetrics NONE = new WriteMetrics() {
    };

    /**
     * @param took how long one change set took to apply
     */
    default void incremental(Duration took) {
    }

    /**
     * @param took how long loading a whole dataset into a new generation took
     */
    default void full(Duration took) {
    }

    /**
     * @param fields hash fields written
     */
    default void written(long fields) {
    }

    /**
     * @param keys keys or fields deleted
     */
    default void deleted(long keys) {
    }
}
