package dev.recur.app.lab;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.HasParameters;
import dev.recur.layers.Linear;
import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;

/**
 * Measures how much the loss at the last step of a sequence depends on each earlier hidden state:
 * {@code ‖∂L/∂h_k‖} for every step {@code k}, as a function of the distance {@code T-1-k}.
 *
 * <p>By the chain rule {@code ∂L/∂h_k = ∂L/∂h_{T-1} · Π_{j=k+1}^{T-1} ∂h_j/∂h_{j-1}}: a product of
 * {@code T-1-k} Jacobians, which shrinks (or grows) geometrically in a plain RNN.
 *
 * <p>How it is measured, with the layer's public API only: the sequence is run up to step
 * {@code k} to get the state {@code (h_k, c_k)}; then the rest of the sequence, steps
 * {@code k+1 … T-1}, is run from that state as its <em>initial</em> state, the loss is taken at the
 * last step (a {@link Head}: e.g. {@code L = Σ_b CE(fc(h_{T-1,b}), y_b)}), and
 * the layer's backward pass returns the gradient with respect to its initial hidden state, which is
 * exactly {@code ∂L/∂h_k} (the adjoint of the node {@code h_k}; for an LSTM the cell state
 * {@code c_k} is a separate node). For a stack, {@code h_k} is every layer's state at step k
 * together. This costs {@code O(T²)} steps per batch — fine for a lab, and it needs no hook in
 * the layer. The norm is taken per sequence and averaged over the batch.
 */
public final class GradientProbe implements AutoCloseable {
    /**
     * The loss on the last step's output: returns {@code L = Σ_b ℓ_b} (a sum, so every sequence's
     * gradient is its own) and, when {@code dLast} is not null, writes {@code ∂L/∂last} into it.
     */
    public interface Head {
        double loss(FloatMatrix last, FloatMatrix dLast);
    }

    /** {@code L = Σ_b CE(fc(last_b), targets_b)}: a linear layer and softmax cross-entropy. */
    public static Head crossEntropy(Linear fc, int[] targets, int batch) {
        Arena a = Arena.ofAuto();
        FloatMatrix logits = FloatMatrix.allocate(a, batch, fc.outFeatures());
        FloatMatrix dLogits = FloatMatrix.allocate(a, batch, fc.outFeatures());
        return (last, dLast) -> {
            fc.forward(last, logits);
            float mean = SoftmaxCrossEntropyLoss.forward(logits, targets, batch,
                    SoftmaxCrossEntropyLoss.DEFAULT_IGNORE_INDEX, dLast == null ? null : dLogits);
            if (dLast != null) {
                // the loss function returns the mean; scale its gradient back to the sum
                for (int r = 0; r < batch; r++) {
                    for (int j = 0; j < dLogits.cols(); j++) dLogits.set(r, j, dLogits.get(r, j) * batch);
                }
                fc.backward(last, dLogits, dLast);
            }
            return (double) mean * batch;
        };
    }

    /** {@code L = Σ_b (fc(last_b) − targets_b)²}: a linear layer to one number and squared error. */
    public static Head squaredError(Linear fc, float[] targets, int batch) {
        Arena a = Arena.ofAuto();
        FloatMatrix pred = FloatMatrix.allocate(a, batch, 1);
        FloatMatrix dPred = FloatMatrix.allocate(a, batch, 1);
        return (last, dLast) -> {
            fc.forward(last, pred);
            double sum = 0;
            for (int b = 0; b < batch; b++) {
                double e = pred.get(b, 0) - targets[b];
                sum += e * e;
                dPred.set(b, 0, (float) (2 * e));
            }
            if (dLast != null) fc.backward(last, dPred, dLast);
            return sum;
        };
    }

    private final RecurrentLayer rnn;
    private final HasParameters fc;
    private final Head head;
    private final int batch;
    private final int stateRows;
    private final Arena arena = Arena.ofShared();
    private final FloatMatrix h, c, dLast, dY;

    /**
     * {@code rnn} must accept {@code maxSteps} steps of {@code batch} sequences, unidirectional;
     * {@code headParams} are the head's parameters (their gradients are cleared, never used).
     */
    public GradientProbe(RecurrentLayer rnn, Head head, HasParameters headParams, int batch, int maxSteps) {
        if (rnn.config().bidirectional()) throw new IllegalArgumentException("the gradient lab needs a unidirectional layer");
        this.rnn = rnn;
        this.head = head;
        this.fc = headParams;
        this.batch = batch;
        int hidden = rnn.config().hiddenSize();
        this.stateRows = rnn.config().numLayers() * batch;
        h = FloatMatrix.allocate(arena, stateRows, hidden);
        c = rnn.config().cell().hasCellState() ? FloatMatrix.allocate(arena, stateRows, hidden) : null;
        dLast = FloatMatrix.allocate(arena, batch, rnn.outputSize());
        dY = FloatMatrix.allocate(arena, maxSteps * batch, rnn.outputSize());
    }

    /**
     * {@code result[d]} = mean over the batch of {@code ‖∂L_b/∂h_{T-1-d}‖}, d = 0 … T-1, for input
     * {@code x} ({@code T·B × F}, time-major) and one target class per sequence.
     */
    public double[] norms(FloatMatrix x, int steps) {
        double[] out = new double[steps];
        h.fill(0f);
        if (c != null) c.fill(0f);
        int f = x.cols();
        for (int k = 0; k < steps; k++) {
            // advance the prefix by one step: (h, c) becomes the state after step k
            rnn.forward(x.view(k * batch, 0, batch, f), batch, null, h, c, false);
            h.copyFrom(rnn.finalHidden());
            if (c != null) c.copyFrom(rnn.finalCell());
            double[] perSeq = gradientAt(x, steps, k, null);
            double sum = 0;
            for (double v : perSeq) sum += v;
            out[steps - 1 - k] = sum / batch;
        }
        return out;
    }

    /**
     * Per-sequence {@code ‖∂L/∂h_k‖} given the state after step {@code k} in {@code (h, c)}; when
     * {@code gradOut} is not null, the full gradient ({@code (L·B) × H}) is copied into it.
     */
    double[] gradientAt(FloatMatrix x, int steps, int k, FloatMatrix gradOut) {
        FloatMatrix g;
        int rest = steps - 1 - k;
        rnn.zeroGrad();
        fc.zeroGrad();
        if (rest == 0) {
            // h_k is the last state itself: ∂L/∂h_{T-1} = ∂L/∂y_{T-1} through the output layer
            FloatMatrix top = h.rowRange(stateRows - batch, batch);
            head.loss(top, dLast);
            g = FloatMatrix.allocate(Arena.ofAuto(), stateRows, h.cols());
            g.rowRange(stateRows - batch, batch).copyFrom(dLast);
        } else {
            FloatMatrix y = rnn.forward(x.view((k + 1) * batch, 0, rest * batch, x.cols()), batch, null, h, c, true);
            FloatMatrix last = y.rowRange((rest - 1) * batch, batch);
            head.loss(last, dLast);
            FloatMatrix dyv = dY.rowRange(0, rest * batch);
            dyv.fill(0f);
            dyv.rowRange((rest - 1) * batch, batch).copyFrom(dLast);
            rnn.backward(dyv, null, null);
            g = rnn.gradInitialHidden();
        }
        if (gradOut != null) gradOut.copyFrom(g);
        double[] norms = new double[batch];
        int layers = stateRows / batch;
        for (int b = 0; b < batch; b++) {
            double s = 0;
            for (int l = 0; l < layers; l++) {
                for (int j = 0; j < g.cols(); j++) {
                    double v = g.get(l * batch + b, j);
                    s += v * v;
                }
            }
            norms[b] = Math.sqrt(s);
        }
        return norms;
    }

    /** The summed loss when the state after step {@code k} is {@code (hk, ck)} (for finite differences). */
    double lossFrom(FloatMatrix x, int steps, int k, FloatMatrix hk, FloatMatrix ck) {
        int rest = steps - 1 - k;
        FloatMatrix last;
        if (rest == 0) {
            last = hk.rowRange(stateRows - batch, batch);
        } else {
            FloatMatrix y = rnn.forward(x.view((k + 1) * batch, 0, rest * batch, x.cols()), batch, null, hk, ck, false);
            last = y.rowRange((rest - 1) * batch, batch);
        }
        return head.loss(last, null);
    }

    /** Runs steps {@code 0 … k} from a zero state and leaves the state in (h, c) (for tests). */
    void prefix(FloatMatrix x, int k) {
        h.fill(0f);
        if (c != null) c.fill(0f);
        for (int s = 0; s <= k; s++) {
            rnn.forward(x.view(s * batch, 0, batch, x.cols()), batch, null, h, c, false);
            h.copyFrom(rnn.finalHidden());
            if (c != null) c.copyFrom(rnn.finalCell());
        }
    }

    FloatMatrix hidden() { return h; }

    FloatMatrix cell() { return c; }

    @Override
    public void close() { arena.close(); }
}
