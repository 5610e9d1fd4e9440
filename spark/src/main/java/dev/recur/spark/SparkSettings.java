package dev.recur.spark;

/**
 * How the training is spread over Spark.
 *
 * @param partitions  shards of the training data (and tasks per round); ≥ 1
 * @param syncEvery   K: local steps between parameter averages; 1 = synchronous SGD (one Spark job
 *                    per optimizer step, gradients summed)
 * @param taskThreads engine threads per task (1 when each executor core runs one task)
 * @param fault       a task attempt to fail deliberately (tests), or {@link TaskFault#NONE}
 */
public record SparkSettings(int partitions, int syncEvery, int taskThreads, TaskFault fault) {
    public SparkSettings {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be ≥ 1, got " + partitions);
        if (syncEvery < 1) throw new IllegalArgumentException("sync-every must be ≥ 1, got " + syncEvery);
        if (taskThreads < 1) throw new IllegalArgumentException("task threads must be ≥ 1, got " + taskThreads);
        if (fault == null) fault = TaskFault.NONE;
    }

    public static SparkSettings of(int partitions, int syncEvery) {
        return new SparkSettings(partitions, syncEvery, 1, TaskFault.NONE);
    }

    public SparkSettings withFault(TaskFault f) { return new SparkSettings(partitions, syncEvery, taskThreads, f); }
}
