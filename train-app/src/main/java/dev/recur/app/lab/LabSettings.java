package dev.recur.app.lab;

import dev.recur.layers.rnn.CellType;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings of the gradient lab's experiments (what {@code gradients} is told).
 *
 * @param cells          the cells to compare
 * @param hidden         hidden units
 * @param length         sequence length T (vanishing, exploding)
 * @param batch          sequences per batch
 * @param batches        batches averaged over (vanishing)
 * @param pretrainSteps  vanishing: training steps on the adding problem before measuring (0 = at initialisation)
 * @param forgetBias     start LSTM forget gates at bias 1
 * @param seed           random seed
 * @param lr             Adam learning rate (long-range, pre-training)
 * @param clipNorm       clipping threshold
 * @param lengths        long-range: adding-problem lengths
 * @param trainSteps     long-range: Adam steps per model and length
 * @param learnedBelow   long-range: learned when the test MSE is below this fraction of the baseline
 * @param recurrentScale exploding: factor on the initial recurrent weights
 * @param sgdLr          exploding: SGD learning rate
 * @param explodingSteps exploding: SGD steps per run
 * @param out            output folder
 */
public record LabSettings(List<CellType> cells, int hidden, int length, int batch, int batches, int pretrainSteps,
                          boolean forgetBias, long seed, double lr, double clipNorm, List<Integer> lengths,
                          int trainSteps, double learnedBelow, double recurrentScale, double sgdLr,
                          int explodingSteps, Path out) {
    public LabSettings {
        cells = List.copyOf(cells);
        lengths = List.copyOf(lengths);
    }

    /** How a cell is named in tables and charts. */
    public static String label(CellType c) {
        return switch (c) {
            case RNN_TANH -> "RNN (tanh)";
            case RNN_RELU -> "RNN (relu)";
            case LSTM -> "LSTM";
            case GRU -> "GRU";
        };
    }
}
