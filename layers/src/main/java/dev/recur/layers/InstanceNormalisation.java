package dev.recur.layers;

import dev.recur.engine.FloatMatrix;

/**
 * A per-window normalisation around a forecaster: statistics taken from each window's own
 * look-back ({@link #statistics}), the look-back mapped in ({@link #normalise}) and the model's
 * forecast mapped back out with the same statistics ({@link #denormalise}), so the network sees
 * series without their window-to-window level (and, for {@link RevIn}, scale) shifts. The
 * statistics are constants for the gradient, as the references' {@code .detach()}.
 *
 * <p>Matrices are time-major {@code T·B × C} (row {@code t·B + b}) for any T: the look-back L on the
 * way in, the horizon H on the way out. Implementations: {@link RevIn} (mean and spread) and
 * {@link LastValueShift} (the last look-back value).
 */
public interface InstanceNormalisation extends Module {

    /** Takes and stores each window's statistics per channel from the look-back {@code x} ({@code L·B × C}). */
    void statistics(FloatMatrix x, int batch);

    /** Maps {@code x} in with the stored statistics into {@code y} (overwritten; may be x). */
    void normalise(FloatMatrix x, FloatMatrix y);

    /** Backward of {@link #normalise}: {@code dx} from {@code dy} (may be the same), plus any parameter gradients. */
    void normaliseBackward(FloatMatrix x, FloatMatrix dy, FloatMatrix dx);

    /** Maps the model's output {@code y} back with the stored statistics into {@code out} (overwritten; may be y). */
    void denormalise(FloatMatrix y, FloatMatrix out);

    /** Backward of {@link #denormalise}: {@code dy} from {@code dOut} (may be the same), plus any parameter gradients. */
    void denormaliseBackward(FloatMatrix y, FloatMatrix dOut, FloatMatrix dy);

    /** Whether it learns parameters (then the input side's backward is needed for their gradients). */
    boolean affine();
}
