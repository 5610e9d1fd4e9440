package dev.recur.app.sentiment;

import java.util.List;

/**
 * Where a run stands after an epoch: what a checkpoint needs beyond weights and optimizer state
 * for {@code --resume} to continue exactly.
 *
 * @param epoch             epochs completed
 * @param steps             optimizer steps taken
 * @param bestValAccuracy   best validation accuracy so far (NaN without validation)
 * @param bestEpoch         epoch of the best validation accuracy (0 if none)
 * @param history           the figures of every completed epoch
 */
public record TrainState(int epoch, long steps, double bestValAccuracy, int bestEpoch, List<EpochStats> history) {
    public static TrainState fresh() { return new TrainState(0, 0, Double.NaN, 0, List.of()); }
}
