package dev.recur.layers.rnn;

/**
 * The shape and options of a {@link RecurrentLayer}, PyTorch's {@code nn.RNN/LSTM/GRU} arguments
 * plus Recur's initialisation options.
 *
 * @param cell                 cell type
 * @param inputSize            features per step of the input
 * @param hiddenSize           H, units per direction
 * @param numLayers            stacked layers (≥ 1)
 * @param bidirectional        add a reverse direction to every layer
 * @param merge                how the two directions combine (ignored when not bidirectional)
 * @param dropout              inverted dropout on the outputs of every layer but the last, in
 *                             training only, probability in [0, 1)
 * @param orthogonalRecurrent  initialise each H×H gate block of {@code weight_hh} as a random
 *                             orthogonal matrix (instead of PyTorch's uniform ±1/√H)
 * @param forgetBiasOne        LSTM only: set the forget-gate block of {@code bias_ih} to 1 (and of
 *                             {@code bias_hh} to 0), so the sum is 1
 * @param seed                 seed of initialisation and dropout masks: same seed, same numbers
 */
public record RecurrentConfig(CellType cell, int inputSize, int hiddenSize, int numLayers,
                              boolean bidirectional, DirectionMerge merge, float dropout,
                              boolean orthogonalRecurrent, boolean forgetBiasOne, long seed) {

    public RecurrentConfig {
        if (cell == null) throw new IllegalArgumentException("RecurrentConfig: cell type is missing");
        if (merge == null) merge = DirectionMerge.CONCAT;
        if (inputSize < 1 || hiddenSize < 1 || numLayers < 1) {
            throw new IllegalArgumentException("RecurrentConfig: inputSize, hiddenSize and numLayers must be ≥ 1, got "
                    + inputSize + ", " + hiddenSize + ", " + numLayers);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("RecurrentConfig: dropout must be in [0, 1), got " + dropout);
        }
        if (forgetBiasOne && cell != CellType.LSTM) {
            throw new IllegalArgumentException("RecurrentConfig: forgetBiasOne only applies to LSTM, cell is " + cell);
        }
    }

    /** One unidirectional layer, PyTorch default initialisation, no dropout, seed 0. */
    public static RecurrentConfig of(CellType cell, int inputSize, int hiddenSize) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, 1, false, DirectionMerge.CONCAT, 0f,
                false, false, 0L);
    }

    public RecurrentConfig withLayers(int n) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, n, bidirectional, merge, dropout,
                orthogonalRecurrent, forgetBiasOne, seed);
    }

    public RecurrentConfig withBidirectional(DirectionMerge m) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, true, m, dropout,
                orthogonalRecurrent, forgetBiasOne, seed);
    }

    public RecurrentConfig withDropout(float p) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bidirectional, merge, p,
                orthogonalRecurrent, forgetBiasOne, seed);
    }

    public RecurrentConfig withOrthogonalRecurrent(boolean on) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bidirectional, merge, dropout,
                on, forgetBiasOne, seed);
    }

    public RecurrentConfig withForgetBiasOne(boolean on) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bidirectional, merge, dropout,
                orthogonalRecurrent, on, seed);
    }

    public RecurrentConfig withSeed(long s) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bidirectional, merge, dropout,
                orthogonalRecurrent, forgetBiasOne, s);
    }

    /** 2 when bidirectional, else 1. */
    public int directions() { return bidirectional ? 2 : 1; }

    /** Width of every layer's output: 2H for CONCAT bidirectional, else H. */
    public int outputSize() { return bidirectional && merge == DirectionMerge.CONCAT ? 2 * hiddenSize : hiddenSize; }

    /** Input width of layer {@code l}: inputSize for layer 0, {@link #outputSize()} above it. */
    public int layerInputSize(int l) { return l == 0 ? inputSize : outputSize(); }
}
