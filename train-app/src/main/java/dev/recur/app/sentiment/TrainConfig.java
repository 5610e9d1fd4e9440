package dev.recur.app.sentiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.Choices.PoolKind;
import dev.recur.app.run.Choices.TruncateKind;
import dev.recur.app.run.Choices.FreezeKind;
import dev.recur.app.run.Json;
import dev.recur.app.run.LrSchedule;
import java.util.LinkedHashMap;
import java.util.Map;
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
                          LrScheduleKind lrSchedule, String initFrom, FreezeKind freeze,
                          int patience, int lrWarmup, int lrStepAfter, double lrStepFactor) {

    /**
     * A checkpoint written before {@code --lr-schedule} existed has none: it trained at a constant
     * rate; one written before {@code --init-from} started from scratch with nothing frozen; one
     * written before {@code --lr-schedule step} has the step options' defaults (it did not use them).
     */
    public TrainConfig {
        if (lrSchedule == null) lrSchedule = LrScheduleKind.constant;
        if (lrStepFactor == 0) {
            lrStepAfter = LrSchedule.STEP_AFTER;
            lrStepFactor = LrSchedule.STEP_FACTOR;
        }
        if (freeze == null) freeze = FreezeKind.none;
    }

    /**
     * The options that define the run, named and spelled as on the command line (what
     * {@code --resume} compares): everything but {@code --epochs}, {@code --threads} and {@code --data}.
     */
    public Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("--model", model.name());
        m.put("--layers", Integer.toString(layers));
        m.put("--bidirectional", Boolean.toString(bidirectional));
        m.put("--hidden", Integer.toString(hidden));
        m.put("--embed", Integer.toString(embed));
        m.put("--vocab-size", Integer.toString(vocabSize));
        m.put("--pool", pool.name());
        m.put("--dropout", Double.toString(dropout));
        m.put("--max-len", Integer.toString(maxLen));
        m.put("--truncate", truncate.name());
        m.put("--batch", Integer.toString(batch));
        m.put("--lr", Double.toString(lr));
        m.put("--lr-schedule", lrSchedule.name());
        m.put("--optimizer", optimizer.name());
        m.put("--momentum", Double.toString(momentum));
        m.put("--weight-decay", Double.toString(weightDecay));
        m.put("--clip-norm", Double.toString(clipNorm));
        m.put("--clip-value", Double.toString(clipValue));
        m.put("--tbptt", Integer.toString(tbptt));
        m.put("--seed", Long.toString(seed));
        m.put("--validation-split", Double.toString(validationSplit));
        m.put("--init-from", String.valueOf(initFrom));
        m.put("--freeze", freeze.name());
        m.put("--patience", Integer.toString(patience));
        m.put("--lr-warmup", Integer.toString(lrWarmup));
        m.put("--lr-step-after", Integer.toString(lrStepAfter));
        m.put("--lr-step-factor", Double.toString(lrStepFactor));
        return m;
    }

    /** Metadata key of the JSON form. */
    public static final String META_KEY = "recur.app.train_config";

    /** The same run with a different epoch count and thread count (what {@code --resume} may change). */
    public TrainConfig withEpochsAndThreads(int newEpochs, int newThreads) {
        return new TrainConfig(model, layers, bidirectional, hidden, embed, vocabSize, pool, dropout, maxLen, truncate,
                batch, newEpochs, lr, optimizer, momentum, weightDecay, clipNorm, clipValue, tbptt, seed, newThreads,
                validationSplit, data, lrSchedule, initFrom, freeze, patience, lrWarmup, lrStepAfter, lrStepFactor);
    }

    /** The same run with the model's shape (cell, layers, direction, sizes, pooling) of {@code m}. */
    public TrainConfig withShapeOf(TrainConfig m) {
        return new TrainConfig(m.model, m.layers, m.bidirectional, m.hidden, m.embed, m.vocabSize, m.pool, dropout, maxLen,
                truncate, batch, epochs, lr, optimizer, momentum, weightDecay, clipNorm, clipValue, tbptt, seed, threads,
                validationSplit, data, lrSchedule, initFrom, freeze, patience, lrWarmup, lrStepAfter, lrStepFactor);
    }

    /**
     * The learning rate of every update ({@code --lr}, {@code --lr-schedule}, {@code --lr-warmup},
     * {@code --lr-step-after}, {@code --lr-step-factor}; a checkpoint from before warm-up existed has 0).
     */
    public LrSchedule schedule() { return new LrSchedule(lrSchedule, lr, lrWarmup, lrStepAfter, lrStepFactor); }

    /**
     * The learning rate of the update that follows {@code done} earlier updates in a run of
     * {@code total} with {@code perEpoch} an epoch ({@link #schedule}).
     */
    public double learningRate(long done, long total, long perEpoch) { return schedule().rate(done, total, perEpoch); }

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
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TrainConfig fromJson(String json, String where) {
        try {
            return Json.MAPPER.readValue(json, TrainConfig.class);
        } catch (JsonProcessingException e) {
            throw new AppException(where + ": the stored training configuration is damaged (" + AppException.plain(e.getOriginalMessage()) + ")", e);
        }
    }
}
