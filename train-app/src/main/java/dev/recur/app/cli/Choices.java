package dev.recur.app.cli;

/** The lower-case choices of enumerated options, named as on the command line. */
public final class Choices {
    private Choices() {}

    /** {@code --model}: the recurrent cell. */
    public enum ModelKind { rnn, lstm, gru }

    /** {@code --pool}: how the outputs of all steps become one vector. */
    public enum PoolKind { last, mean, max }

    /** {@code --optimizer}. */
    public enum OptimizerKind { sgd, adam, adamw }

    /** {@code --truncate}: which end of a long review is kept. */
    public enum TruncateKind { start, end }

    /** {@code --lr-schedule}: how the learning rate changes over the run's steps. */
    public enum LrScheduleKind { constant, cosine, linear }
}
