package dev.recur.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: one in-process {@code local[2,2]} session (2 task threads; a failed task is
 * tried twice) shared by every test class of the run, no UI, no network but the loopback.
 */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {}

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2,2]")
                    .appName("recur-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.default.parallelism", "2")
                    .getOrCreate();
            session.sparkContext().setLogLevel("ERROR");
        }
        return session;
    }
}
