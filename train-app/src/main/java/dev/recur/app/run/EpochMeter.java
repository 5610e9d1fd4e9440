package dev.recur.app.run;

/**
 * The running figures of a task's training steps: the mean loss of the current epoch (each step's
 * mean loss weighted by its {@code count}: windows, tokens, recordings...), the epoch's count and
 * throughput units (characters, frames...) with the wall time since it started, and the counts,
 * units and step time over every step this process ran. A task calls {@link #startEpoch} from
 * {@link TrainingLoop.Task#planEpoch} and {@link #add} after each step, and reads its
 * {@link TrainingLoop.Task#progress} and {@link TrainingLoop.Task#training} figures from here.
 */
public final class EpochMeter {
    private double lossSum;
    private long count, units, epochStart = System.nanoTime();
    private long runCount, runUnits, runNanos;

    /** Resets the epoch's figures and starts its clock. */
    public void startEpoch() {
        lossSum = 0;
        count = 0;
        units = 0;
        epochStart = System.nanoTime();
    }

    /**
     * Adds a step begun at {@code startNanos} ({@link System#nanoTime}): mean loss {@code loss}
     * over {@code count} items, and {@code units} of throughput.
     */
    public void add(float loss, long count, long units, long startNanos) {
        lossSum += (double) loss * count;
        this.count += count;
        this.units += units;
        runCount += count;
        runUnits += units;
        runNanos += System.nanoTime() - startNanos;
    }

    /** A step whose throughput units are its items. */
    public void add(float loss, long count, long startNanos) { add(loss, count, count, startNanos); }

    /** The epoch's mean loss per item (NaN before a step). */
    public double meanLoss() { return lossSum / count; }

    /** Items of the epoch so far. */
    public long count() { return count; }

    /** Throughput units of the epoch so far. */
    public long units() { return units; }

    /** Wall seconds since the epoch started. */
    public double epochSeconds() { return (System.nanoTime() - epochStart) / 1e9; }

    /** Items over every step this process ran. */
    public long runCount() { return runCount; }

    /** Units over every step this process ran. */
    public long runUnits() { return runUnits; }

    /** Seconds spent in the steps this process ran. */
    public double runSeconds() { return runNanos / 1e9; }

    /** Units per second of step time over the run in this process (0 before a step). */
    public double runUnitsPerSecond() { return runNanos > 0 ? runUnits / (runNanos / 1e9) : 0; }
}
