package dev.recur.app.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.recur.app.AppException;
import dev.recur.app.cli.Choices.LrScheduleKind;
import dev.recur.app.cli.Choices.ModelKind;
import dev.recur.app.cli.Choices.OptimizerKind;
import dev.recur.app.cli.Choices.PoolKind;
import dev.recur.app.cli.Choices.TruncateKind;
import dev.recur.app.cli.ModelOptions;
import dev.recur.app.cli.TrainingOptions;
import dev.recur.app.data.TextEncoder;
import dev.recur.layers.Pooling;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.rnn.CellType;

/**
 * Everything that defines a training run, as the command line gave it. It travels in every
 * checkpoint (metadata key {@value #META_KEY}, JSON), so that {@code --resume} continues the same
 * run and {@code info} can show how a model was made.
 */
public record TrainConfig(ModelKind model, int layers, boolean bidirectional, int hidden, int embed, int vocabSize,
                          PoolKind pool, double dropout, int maxLen, TruncateKind truncate, int batch, int epochs,
                          double lr, OptimizerKind optimizer, double momentum, double weightDecay, double clipNorm,
                          double clipValue, int tbptt, long seed, int threads, double validationSplit, String data,
                          LrScheduleKind lrSchedule) {

    /** A checkpoint written before {@code --lr-schedule} existed has none: it trained at a constant rate. */
    public TrainConfig {
        if (lrSchedule == null) lrSchedule = LrScheduleKind.constant;
    }

    /** Metadata key of the JSON form. */
    public static final String META_KEY = "recur.app.train_config";

    /** Builds the record from the parsed options. */
    public static TrainConfig of(ModelOptions m, TrainingOptions t, int maxLen, TruncateKind truncate, int epochs,
                                 double validationSplit, String data) {
        return new TrainConfig(m.model, m.layers, m.bidirectional, m.hidden, m.embed, m.vocabSize, m.pool, m.dropout,
                maxLen, truncate, t.batch, epochs, t.lr, t.optimizer, t.momentum, t.weightDecay(), t.clipNorm,
                t.clipValue, t.tbptt, t.seed, t.threads, validationSplit, data, t.lrSchedule);
    }

    /** The same run with a different epoch count and thread count (what {@code --resume} may change). */
    public TrainConfig withEpochsAndThreads(int newEpochs, int newThreads) {
        return new TrainConfig(model, layers, bidirectional, hidden, embed, vocabSize, pool, dropout, maxLen, truncate,
                batch, newEpochs, lr, optimizer, momentum, weightDecay, clipNorm, clipValue, tbptt, seed, newThreads,
                validationSplit, data, lrSchedule);
    }

    /**
     * The learning rate of the update that follows {@code done} earlier updates, in a run of
     * {@code total} updates: {@code lr} (constant), {@code lr·½(1 + cos(π·done/total))} (cosine) or
     * {@code lr·(1 − done/total)} (linear). A pure function of the step count, so {@code --resume}
     * continues the same curve bit for bit (raising {@code --epochs} on resume stretches it from there).
     */
    public double learningRate(long done, long total) {
        double f = total <= 0 ? 0 : Math.min(1.0, Math.max(0.0, (double) done / total));
        return switch (lrSchedule) {
            case constant -> lr;
            case cosine -> lr * 0.5 * (1 + Math.cos(Math.PI * f));
            case linear -> lr * (1 - f);
        };
    }

    /** The layers' model configuration for a vocabulary of {@code actualVocab} ids. */
    public ModelConfig modelConfig(int actualVocab) {
        CellType cell = switch (model) {
            case rnn -> CellType.RNN_TANH;
            case lstm -> CellType.LSTM;
            case gru -> CellType.GRU;
        };
        Pooling p = switch (pool) {
            case last -> Pooling.LAST;
            case mean -> Pooling.MEAN;
            case max -> Pooling.MAX;
        };
        return new ModelConfig(cell, actualVocab, embed, hidden, layers, bidirectional, p, (float) dropout,
                (float) dropout, 1, 0, true, cell == CellType.LSTM);
    }

    public TextEncoder.Truncation truncation() {
        return truncate == TruncateKind.start ? TextEncoder.Truncation.START : TextEncoder.Truncation.END;
    }

    public String toJson() {
        try {
            return MetricsLog.JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TrainConfig fromJson(String json, String where) {
        try {
            return MetricsLog.JSON.readValue(json, TrainConfig.class);
        } catch (JsonProcessingException e) {
            throw new AppException(where + ": the stored training configuration is damaged (" + e.getOriginalMessage() + ")", e);
        }
    }
}
