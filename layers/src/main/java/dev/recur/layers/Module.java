package dev.recur.layers;

/**
 * A building block of a model: it owns trainable {@link Parameter}s under PyTorch names (a model's
 * state dict is the union of its modules' names) and has a {@code forward} and a {@code backward}
 * method over time-major batches. The two are typed per module (an {@link Embedding} reads token
 * ids, a {@link Linear} a matrix, {@link SequencePooling} a matrix and lengths), so they are not
 * part of this interface; the contract every module keeps is:
 *
 * <ul>
 *   <li>{@code forward} writes into caller-given or module-owned workspace and allocates nothing in
 *       steady state; in training mode it keeps what {@code backward} needs;</li>
 *   <li>{@code backward} accumulates ({@code +=}) into its parameters' gradients and returns or
 *       writes the gradient with respect to its input;</li>
 *   <li>one caller at a time; {@link #close()} frees the native memory the module owns (modules
 *       built on a model's arena free nothing themselves: the model's {@code close} does).</li>
 * </ul>
 *
 * See {@code docs/model.md} for how models compose modules.
 */
public interface Module extends HasParameters, AutoCloseable {

    /** Frees native memory this module owns itself; the default owns none. */
    @Override
    default void close() {}
}
