package dev.recur.spark;

import dev.recur.app.run.Optimizers;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.app.sentiment.TrainingStep;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.util.HashMap;
import java.util.Map;

/**
 * An executor's copy of the model, with its own optimizer (used by local SGD only), one reused
 * batch buffer and the app's {@link TrainingStep}. Built once per executor thread and spec and
 * reused by every task ({@link Workers}); a task overwrites all of its state first, so a task's
 * result depends only on the broadcast weights and its partition.
 */
final class Worker {
    final TrainConfig config;
    final SequenceClassifier model;
    final Optimizer optimizer;
    final TrainingStep step;
    final Batch batch;
    final int[] order;

    Worker(WorkerSpec spec) {
        config = TrainConfig.fromJson(spec.configJson(), "the Spark job's configuration");
        model = new SequenceClassifier(config.modelConfig(spec.vocabSize()), config.seed(), spec.maxSteps(), config.batch());
        model.setGradientWindow(config.tbptt());
        optimizer = Optimizers.create(config.optimizer(), model.parameters(), config.lr(), config.momentum(),
                config.weightDecay());
        step = new TrainingStep(model, optimizer, model.parameters(), config.clipNorm(), config.clipValue());
        batch = new Batch(spec.maxSteps(), config.batch());
        order = new int[config.batch()];
    }

    /**
     * Puts every dropout stream at position {@code calls}: the driver gives each (step, partition)
     * its own range, so masks differ between partitions and steps and repeat on a retried task.
     */
    void seekDropout(long calls) {
        Map<String, String> m = new HashMap<>();
        for (String k : model.rngState().keySet()) m.put(k, Long.toString(calls));
        model.restoreRngState(m);
    }
}
