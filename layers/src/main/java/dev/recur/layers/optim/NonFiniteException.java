package dev.recur.layers.optim;

/** A loss or gradient became NaN or infinite; names the training step and the parameter (or "loss"). */
public final class NonFiniteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The step number. */
    private final long step;
    /** The parameter's name, or {@code "loss"}. */
    private final String parameter;

    /** Non-finite {@code parameter} (or {@code "loss"}) at training step {@code step}; {@code detail} says what was seen. */
    public NonFiniteException(long step, String parameter, String detail) {
        super("training step " + step + ": the " + (parameter.equals("loss") ? "loss" : "gradient of " + parameter)
                + " is not finite (" + detail + "); lower the learning rate or clip gradients (--clip-norm)");
        this.step = step;
        this.parameter = parameter;
    }

    /** The training step at which the value was seen. */
    public long step() { return step; }

    /** The parameter's name, or {@code "loss"}. */
    public String parameter() { return parameter; }
}
