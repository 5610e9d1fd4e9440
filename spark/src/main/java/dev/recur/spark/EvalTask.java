package dev.recur.spark;

import dev.recur.app.data.Batcher;
import dev.recur.engine.FloatMatrix;
import java.util.List;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * Evaluates the broadcast weights on one partition in evaluation mode (no dropout), as the app's
 * {@code Evaluator} does on one machine: returns the confusion counts and the loss sum,
 * {@code {tp, fp, tn, fn}} and {@code lossSum}.
 */
final class EvalTask implements Function<Shard, double[]> {
    private static final long serialVersionUID = 1L;
    private final WorkerSpec spec;
    private final Broadcast<Weights> weights;
    private final int threads;

    EvalTask(WorkerSpec spec, Broadcast<Weights> weights, int threads) {
        this.spec = spec;
        this.weights = weights;
        this.threads = threads;
    }

    @Override
    public double[] call(Shard shard) {
        Threads.use(threads);
        Worker w = Workers.borrow(spec);
        try {
            weights.value().loadInto(w.model.parameters());
            w.model.eval();
            double[] r = new double[5];
            List<int[]> plan = Batcher.evaluationPlan(shard.lengths(), w.config.batch());
            for (int[] rows : plan) {
                Batcher.fill(shard.sequences(), shard.labels(), rows, w.batch, w.order);
                float loss = w.model.forward(w.batch);
                FloatMatrix logits = w.model.lastLogits();
                for (int b = 0; b < rows.length; b++) {
                    boolean predicted = logits.get(b, 0) >= 0, positive = w.batch.labels()[b] == 1;
                    r[predicted ? (positive ? 0 : 1) : (positive ? 3 : 2)]++;
                }
                r[4] += (double) loss * rows.length;
            }
            return r;
        } finally {
            Workers.release(spec, w);
        }
    }
}
