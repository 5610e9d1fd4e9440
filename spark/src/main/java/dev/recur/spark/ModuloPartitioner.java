package dev.recur.spark;

import org.apache.spark.Partitioner;

/**
 * Example {@code i} goes to partition {@code i mod n}: which partition holds an example is a pure
 * function of its index, so every run (and every retried task) sees the same shards.
 */
public final class ModuloPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    public ModuloPartitioner(int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be ≥ 1, got " + partitions);
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() { return partitions; }

    @Override
    public int getPartition(Object key) {
        return (int) Math.floorMod(((Number) key).longValue(), (long) partitions);
    }

    @Override
    public boolean equals(Object o) { return o instanceof ModuloPartitioner m && m.partitions == partitions; }

    @Override
    public int hashCode() { return partitions; }
}
