package dev.recur.app.run;

import dev.recur.layers.rnn.CellType;

/** The lower-case choices of enumerated options, named as on the command line. */
public final class Choices {
    private Choices() {}

    /** The layers' cell type of a {@code --model} choice. */
    public static CellType cell(ModelKind kind) {
        return switch (kind) {
            case rnn -> CellType.RNN_TANH;
            case lstm -> CellType.LSTM;
            case gru -> CellType.GRU;
        };
    }

    /** {@code --model}: the recurrent cell. */
    public enum ModelKind { rnn, lstm, gru }

    /** A cell type as stored in a checkpoint ({@code LSTM}, …), or a clear error naming {@code where}. */
    public static CellType storedCell(String name, String where) {
        for (CellType c : CellType.values()) if (c.name().equals(name)) return c;
        throw new dev.recur.app.core.AppException(where + ": the stored cell '" + name
                + "' is not one of RNN_TANH, RNN_RELU, LSTM, GRU; the file is damaged");
    }

    /** {@code --pool}: how the outputs of all steps become one vector. */
    public enum PoolKind { last, mean, max }

    /** {@code --optimizer}. */
    public enum OptimizerKind { sgd, adam, adamw }

    /** {@code --truncate}: which end of a long review is kept. */
    public enum TruncateKind { start, end }

    /** {@code --lr-schedule}: how the learning rate changes over the run's steps. */
    public enum LrScheduleKind { constant, cosine, linear, step }

    /** {@code --freeze}: which pre-trained parameters fine-tuning keeps fixed. */
    public enum FreezeKind {
        /** Train everything. */
        none,
        /** Keep the word embedding fixed. */
        embedding,
        /** Keep the embedding and the recurrent layers fixed: only the output layer trains. */
        encoder
    }
}
