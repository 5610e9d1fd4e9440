package dev.recur.app.run;

import java.util.Map;

/**
 * The checkpoint metadata keys under which a task records the loop's {@link TrainingLoop.Position},
 * and the one way to write them ({@link #write}) and read them back to resume ({@link #read}).
 * Tasks keep the key names their checkpoints have always had ({@link #STANDARD} for the newer ones);
 * {@code steps} is null where the step count comes from the optimizer state instead.
 *
 * <p>Reading accepts checkpoints written before the loop evaluated inside epochs: a missing batch
 * key reads as 0 (an epoch end), missing evaluations as one per epoch, a missing best-at as the
 * last evaluation.
 *
 * @param epoch       whole epochs done
 * @param batch       batches of the next epoch done
 * @param steps       optimizer steps (null: not in the metadata, see {@link #read(Checkpoint, long)})
 * @param evaluations evaluations done
 * @param best        the best primary metric so far
 * @param bestAt      the evaluation it came from
 */
public record PositionKeys(String epoch, String batch, String steps, String evaluations, String best, String bestAt) {
    /**
     * {@code train.epoch}, {@code train.batch}, {@code train.evaluations}, {@code train.best_score},
     * {@code train.best_epoch}; the steps from the optimizer.
     */
    public static final PositionKeys STANDARD = new PositionKeys("train.epoch", "train.batch", null, "train.evaluations",
            "train.best_score", "train.best_epoch");

    /** These keys with the best-at key named {@code key}. */
    public PositionKeys withBestAt(String key) {
        return new PositionKeys(epoch, batch, steps, evaluations, best, key);
    }

    /** Puts {@code at} into {@code meta} (in the order epoch, batch, steps, best, best-at, evaluations). */
    public void write(Map<String, String> meta, TrainingLoop.Position at) {
        meta.put(epoch, Integer.toString(at.epochsDone()));
        meta.put(batch, Integer.toString(at.batch()));
        if (steps != null) meta.put(steps, Long.toString(at.steps()));
        meta.put(best, Double.toString(at.best()));
        meta.put(bestAt, Integer.toString(at.bestAt()));
        meta.put(evaluations, Integer.toString(at.evaluations()));
    }

    /** The position {@code ck} recorded, with {@code optimizerSteps} steps (what its optimizer state counts). */
    public TrainingLoop.Position read(Checkpoint ck, long optimizerSteps) {
        if (steps != null) throw new IllegalStateException("these keys hold the steps: use read(Checkpoint)");
        return at(ck, optimizerSteps);
    }

    /** The position {@code ck} recorded, its step count included. */
    public TrainingLoop.Position read(Checkpoint ck) {
        if (steps == null) throw new IllegalStateException("these keys hold no steps: use read(Checkpoint, long)");
        return at(ck, Long.parseLong(ck.meta(steps)));
    }

    private TrainingLoop.Position at(Checkpoint ck, long stepCount) {
        Map<String, String> m = ck.metadata();
        int epochs = Integer.parseInt(ck.meta(epoch));
        int evals = Integer.parseInt(m.getOrDefault(evaluations, Integer.toString(epochs)));
        return new TrainingLoop.Position(epochs, Integer.parseInt(m.getOrDefault(batch, "0")), stepCount, evals,
                Double.parseDouble(ck.meta(best)), Integer.parseInt(m.getOrDefault(bestAt, Integer.toString(evals))));
    }
}
