package dev.recur.spark;

import dev.recur.app.data.Batcher;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * One partition's share of one round, run on an executor: load the broadcast weights into the
 * executor's model, then for each of the round's K global batches take the members this partition
 * holds and run forward and backward with Recur's engine. With K = 1 it returns the gradient sum;
 * with K &gt; 1 it also steps its own optimizer after every batch (local SGD) and returns its
 * parameters and optimizer state weighted by its example count.
 *
 * <p>A pure function of the broadcast weights, the batches, the step number and the partition: a
 * retried attempt gives the same bits.
 */
final class RoundTask implements Function<Shard, ShardResult> {
    private static final long serialVersionUID = 1L;
    /** Dropout stream positions reserved per (step, partition); a forward uses far fewer. */
    private static final long DROPOUT_CALLS_PER_TASK = 1L << 10;

    private final WorkerSpec spec;
    private final Broadcast<Weights> weights;
    private final int[][] batches;
    private final boolean local;
    private final double[] learningRates;
    private final long firstStep;
    private final int partitions;
    private final int threads;
    private final TaskFault fault;

    /**
     * {@code batches}: the round's global batches (global example indices); {@code local}: local SGD
     * (step the executor's optimizer after each batch and return parameters, even for a round of one
     * batch) or synchronous SGD (one batch, return the gradient sum); {@code learningRates}: the
     * scheduled rate of each batch (local SGD); {@code firstStep}: the 1-based optimizer step of the
     * first batch.
     */
    RoundTask(WorkerSpec spec, Broadcast<Weights> weights, int[][] batches, boolean local, double[] learningRates,
              long firstStep, int partitions, int threads, TaskFault fault) {
        if (!local && batches.length != 1) throw new IllegalArgumentException("synchronous SGD runs one batch per round");
        this.spec = spec;
        this.weights = weights;
        this.batches = batches;
        this.local = local;
        this.learningRates = learningRates;
        this.firstStep = firstStep;
        this.partitions = partitions;
        this.threads = threads;
        this.fault = fault;
    }

    @Override
    public ShardResult call(Shard shard) {
        TaskContext ctx = TaskContext.get();
        int partition = ctx == null ? 0 : ctx.partitionId();
        fault.maybeFail(firstStep, partition, ctx == null ? 0 : ctx.attemptNumber());
        Threads.use(threads);
        Worker w = Workers.borrow(spec);
        try {
            return run(w, shard, partition);
        } finally {
            Workers.release(spec, w);
        }
    }

    private ShardResult run(Worker w, Shard shard, int partition) {
        Weights start = weights.value();
        List<Parameter> params = w.model.parameters();
        start.loadInto(params);
        w.model.markGradDirty();
        if (local) start.loadInto(w.optimizer);
        long count = 0, correct = 0;
        double lossSum = 0, normSum = 0;
        int steps = 0;
        float[][] gradSum = null;
        for (int j = 0; j < batches.length; j++) {
            int[] rows = shard.rows(batches[j]);
            if (rows.length == 0) continue;
            long step = firstStep + j;
            Batcher.fill(shard.sequences(), shard.labels(), rows, w.batch, w.order);
            w.seekDropout((step * partitions + partition) * DROPOUT_CALLS_PER_TASK);
            float loss;
            if (local) {
                w.optimizer.setLearningRate(learningRates[j]);
                w.optimizer.setSteps(step - 1);
                w.step.gradients(w.batch);
                correct += correct(w, rows.length);   // before the update, as the single-process trainer counts
                w.step.update(w.step.loss(), step);
                loss = w.step.loss();
                normSum += w.step.gradNorm();
                steps++;
            } else {
                loss = w.step.gradients(w.batch);
                correct += correct(w, rows.length);
                gradSum = new float[params.size()][];
                for (int i = 0; i < params.size(); i++) {
                    float[] g = params.get(i).grad().toArray();
                    for (int k = 0; k < g.length; k++) g[k] *= rows.length;
                    gradSum[i] = g;
                }
            }
            count += rows.length;
            lossSum += (double) loss * rows.length;
        }
        if (count == 0) return new ShardResult(0, 0, 0, 0, 0, null, null);
        if (!local) return new ShardResult(count, lossSum, correct, 0, 0, gradSum, null);
        float[][] values = Weights.of(params, null).values();
        float[][] state = Weights.state(w.optimizer);
        ShardResult.scale(values, count);
        ShardResult.scale(state, count);
        return new ShardResult(count, lossSum, correct, normSum, steps, values, state);
    }

    private static long correct(Worker w, int n) {
        FloatMatrix logits = w.model.lastLogits();
        long c = 0;
        for (int i = 0; i < n; i++) if ((logits.get(i, 0) >= 0) == (w.batch.labels()[i] == 1)) c++;
        return c;
    }
}
