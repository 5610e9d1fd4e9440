package dev.recur.layers.rnn;

/**
 * The recurrent cell of a {@link RecurrentLayer}, with PyTorch's equations and gate order.
 * {@link #gates()} is how many H-sized blocks the weight matrices stack: {@code weight_ih} is
 * {@code gates·H × input}, {@code weight_hh} is {@code gates·H × H}.
 */
public enum CellType {
    /** Elman RNN, {@code h = tanh(W_ih x + b_ih + W_hh h + b_hh)} ({@code nn.RNN}, nonlinearity='tanh'). */
    RNN_TANH(1),
    /** Elman RNN with relu ({@code nn.RNN}, nonlinearity='relu'). */
    RNN_RELU(1),
    /** LSTM, gates i, f, g, o ({@code nn.LSTM}); has a cell state c. */
    LSTM(4),
    /** GRU, gates r, z, n, reset applied after the recurrent product ({@code nn.GRU}). */
    GRU(3);

    private final int gates;

    CellType(int gates) { this.gates = gates; }

    /** Number of gate blocks stacked in the weights (1, 4 or 3). */
    public int gates() { return gates; }

    /** True for the LSTM, the only cell with a second state (c). */
    public boolean hasCellState() { return this == LSTM; }
}
