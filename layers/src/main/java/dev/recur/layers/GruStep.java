package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.Transpose;
import dev.recur.engine.cell.CellKernels;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * Steps of a GRU cell with the weights of an existing GRU layer (shared, not copied): the step
 * PyTorch runs when a module calls its {@code nn.GRU} (or {@code nn.GRUCell}) on one step from a
 * given h0, as SegRNN's parallel decoder and the encoder–decoder's autoregressive decoder do.
 * PyTorch's equations and gate order (r, z, n):
 * <pre>
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 * The two GEMMs run in the engine and the gate arithmetic in the engine's fused GRU cell kernel
 * ({@link CellKernels#gruForward}/{@link CellKernels#gruBackward}, the one the recurrent layer uses),
 * SIMD or its scalar twin as the engine chose.
 *
 * <p>It keeps the activations of up to {@code slots} steps (slot k for step k of a decoder), so a
 * decoder runs slots 0..T−1 forward and then back-propagates them in reverse. {@link #backward}
 * accumulates into the shared parameters' gradients, so a model that runs the layer and this step
 * sums both uses' gradients, as autograd does. Lists no parameters of its own (the layer lists
 * them). Rows are samples; workspace for {@code maxRows} rows per slot; one backward per forward of
 * a slot (backward overwrites the slot's gate buffers with their gradients).
 */
public final class GruStep implements Module {
    private static final CellKernels CELLS = CellKernels.get();
    private final Parameter wIh, wHh, bIh, bHh;
    private final int hidden, inputs, slots;
    private final RowViews[] gx, gh;
    private final RowViews dhBuf;
    private final FloatMatrix[] xs, h0s;
    private final int[] rowsOf;

    /** One slot: for a single step at a time. */
    public GruStep(Arena arena, Parameter weightIh, Parameter weightHh, Parameter biasIh, Parameter biasHh, int maxRows) {
        this(arena, weightIh, weightHh, biasIh, biasHh, maxRows, 1);
    }

    /**
     * @param weightIh {@code weight_ih_l0} (3H × in), {@code weightHh} (3H × H), {@code biasIh} and
     *                 {@code biasHh} (1 × 3H) of a GRU layer
     * @param slots    how many steps' activations are kept at once
     */
    public GruStep(Arena arena, Parameter weightIh, Parameter weightHh, Parameter biasIh, Parameter biasHh, int maxRows,
                   int slots) {
        wIh = weightIh;
        wHh = weightHh;
        bIh = biasIh;
        bHh = biasHh;
        hidden = weightHh.cols();
        inputs = weightIh.cols();
        if (weightIh.rows() != 3 * hidden || weightHh.rows() != 3 * hidden || biasIh.cols() != 3 * hidden || biasHh.cols() != 3 * hidden) {
            throw new IllegalArgumentException("GruStep needs GRU weights 3H × in, 3H × H and biases 3H, got " + weightIh + ", "
                    + weightHh + ", " + biasIh + ", " + biasHh);
        }
        if (slots < 1 || maxRows < 1) throw new IllegalArgumentException("GruStep needs ≥ 1 slot and row, got " + slots + ", " + maxRows);
        this.slots = slots;
        gx = new RowViews[slots];
        gh = new RowViews[slots];
        for (int k = 0; k < slots; k++) {
            gx[k] = new RowViews(FloatMatrix.allocate(arena, maxRows, 3 * hidden));
            gh[k] = new RowViews(FloatMatrix.allocate(arena, maxRows, 3 * hidden));
        }
        dhBuf = new RowViews(FloatMatrix.allocate(arena, maxRows, hidden));
        xs = new FloatMatrix[slots];
        h0s = new FloatMatrix[slots];
        rowsOf = new int[slots];
    }

    @Override
    public List<Parameter> parameters() { return List.of(); }

    /** {@link #forward(int, FloatMatrix, FloatMatrix, FloatMatrix)} in slot 0. */
    public void forward(FloatMatrix x, FloatMatrix h0, FloatMatrix hOut) { forward(0, x, h0, hOut); }

    /** {@link #backward(int, FloatMatrix, FloatMatrix, FloatMatrix)} of slot 0. */
    public void backward(FloatMatrix dhOut, FloatMatrix dx, FloatMatrix dh0) { backward(0, dhOut, dx, dh0); }

    /**
     * {@code hOut = GRU(x, h0)} for N rows: x N × in, h0 and hOut N × H (hOut overwritten; contiguous).
     * Keeps what backward needs in {@code slot}; x and h0 must stay unchanged until then.
     */
    public void forward(int slot, FloatMatrix x, FloatMatrix h0, FloatMatrix hOut) {
        int rows = x.rows();
        x.requireShape("GRU step input", rows, inputs);
        h0.requireShape("GRU step state", rows, hidden);
        hOut.requireShape("GRU step output", rows, hidden);
        requireContiguous(h0, "state");
        requireContiguous(hOut, "output");
        checkSlot(slot);
        xs[slot] = x;
        h0s[slot] = h0;
        rowsOf[slot] = rows;
        FloatMatrix gxV = gx[slot].first(rows), ghV = gh[slot].first(rows);
        Gemm.sgemm(Transpose.N, Transpose.T, 1f, x, wIh.value(), 0f, gxV);
        Gemm.sgemm(Transpose.N, Transpose.T, 1f, h0, wHh.value(), 0f, ghV);
        CELLS.gruForward(rows, hidden, gxV.segment(), gxV.index(0, 0), ghV.segment(), ghV.index(0, 0),
                bIh.value().segment(), bIh.value().index(0, 0), bHh.value().segment(), bHh.value().index(0, 0),
                h0.segment(), h0.index(0, 0), hOut.segment(), hOut.index(0, 0));
    }

    /**
     * Back-propagates {@code dhOut} (N × H) through the forward of {@code slot}: accumulates the four
     * shared parameters' gradients and writes {@code dx} (N × in) and {@code dh0} (N × H), both overwritten.
     */
    public void backward(int slot, FloatMatrix dhOut, FloatMatrix dx, FloatMatrix dh0) {
        checkSlot(slot);
        int rows = rowsOf[slot];
        if (xs[slot] == null) throw new IllegalStateException("GRU step slot " + slot + " has no forward to back-propagate");
        dhOut.requireShape("GRU step output gradient", rows, hidden);
        dh0.requireShape("GRU step state gradient", rows, hidden);
        FloatMatrix x = xs[slot], h0 = h0s[slot], dgx = gx[slot].first(rows), dgh = gh[slot].first(rows);
        FloatMatrix dh = dhBuf.first(rows);
        dh.copyFrom(dhOut);
        CELLS.gruBackward(rows, hidden, dgx.segment(), dgx.index(0, 0), dgh.segment(), dgh.index(0, 0),
                h0.segment(), h0.index(0, 0), null, 0, 0, dh.segment(), dh.index(0, 0));
        Gemm.sgemm(Transpose.T, Transpose.N, 1f, dgx, x, 1f, wIh.grad());
        CELLS.addColumnSums(rows, 3 * hidden, dgx.segment(), dgx.index(0, 0), dgx.ld(), bIh.grad().segment(), bIh.grad().index(0, 0));
        Gemm.sgemm(Transpose.T, Transpose.N, 1f, dgh, h0, 1f, wHh.grad());
        CELLS.addColumnSums(rows, 3 * hidden, dgh.segment(), dgh.index(0, 0), dgh.ld(), bHh.grad().segment(), bHh.grad().index(0, 0));
        Gemm.sgemm(Transpose.N, Transpose.N, 1f, dgx, wIh.value(), 0f, dx);
        dh0.copyFrom(dh);
        Gemm.sgemm(Transpose.N, Transpose.N, 1f, dgh, wHh.value(), 1f, dh0);
        xs[slot] = null;
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= slots) throw new IllegalArgumentException("GRU step slot " + slot + " is not in [0, " + slots + ")");
    }

    private static void requireContiguous(FloatMatrix m, String what) {
        if (m.ld() != m.cols()) throw new IllegalArgumentException("GRU step " + what + " must have packed rows (ld = cols), got " + m);
    }
}
